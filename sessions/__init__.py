"""The browser pages: set-up, facilitator, scan, transcription, card, join and board."""
