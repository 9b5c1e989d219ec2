from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ptce.api"
    label = "api"
