"""Models of projects."""
