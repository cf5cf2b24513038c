"""REST history benchmark: the asgiref bridge's cost, and page latency at 10k vs 1M messages."""
