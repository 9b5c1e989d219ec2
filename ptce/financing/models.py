"""Models of financing."""
