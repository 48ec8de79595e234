"""A helper that opens a file only when its caller passes no file object."""
