"""Load tests and benchmarks: the locustfile, chat-bench and reference servers."""
