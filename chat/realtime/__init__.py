"""The Socket.IO side: python-socketio AsyncServer, its handlers, presence, Redis wiring."""
