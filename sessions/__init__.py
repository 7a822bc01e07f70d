"""What people see in a browser: set-up, facilitator, card, join and board pages."""
