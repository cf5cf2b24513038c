"""The seam onto python-socketio, engineio and uvicorn internals (see its modules)."""
