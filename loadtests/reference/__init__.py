"""Reference servers chat-bench measures ChatApp against."""
