"""Pages of pooling (namespace "pooling"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
