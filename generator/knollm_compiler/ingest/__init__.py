"""Reading raw provider listings: parse, find the records, normalise each one into a draft model."""
