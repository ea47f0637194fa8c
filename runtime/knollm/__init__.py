"""Knollm runtime: load the compiled catalog bundle and query it. Never imports the compiler."""

__version__ = "0.1.0"
