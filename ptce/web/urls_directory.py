"""Pages of the actor directory (namespace "directory")."""

urlpatterns: list = []
