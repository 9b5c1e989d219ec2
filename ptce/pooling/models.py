"""Models of pooling."""
