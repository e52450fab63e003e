"""Phone numbers: placeholder, filled in below."""
