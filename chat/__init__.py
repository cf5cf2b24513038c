"""ChatApp: an async-first chat server (python-socketio realtime core, Flask-RESTX API)."""

__version__ = "0.1.0"
