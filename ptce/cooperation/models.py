"""Models of cooperation."""
