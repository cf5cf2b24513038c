"""chat-bench: the Socket.IO fan-out benchmark."""
