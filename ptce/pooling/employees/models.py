"""Models of employees."""
