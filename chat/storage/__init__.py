"""Persistence: the only package that imports sqlalchemy. Returns domain types."""
