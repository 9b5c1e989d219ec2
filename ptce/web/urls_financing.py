"""Pages of financing (namespace "financing"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
