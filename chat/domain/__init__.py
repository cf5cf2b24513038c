"""Dataclasses, rules and errors: no I/O, no framework imports."""
