"""Soak: hold many Socket.IO connections with steady traffic for a long time, and report
the server's memory per connection and its growth, its open file descriptors, and the
latency users see over time. `python -m loadtests.soak --help`."""
