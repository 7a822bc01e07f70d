"""A load generator that speaks NiceGUI's page and socket.io protocol as a phone's browser does."""
