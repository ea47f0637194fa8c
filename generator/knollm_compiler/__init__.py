"""Knollm's catalog compiler: raw provider listings and authored files in, one validated bundle out.

The runtime package (`knollm`) never imports this package; the two share only the bundle format.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
