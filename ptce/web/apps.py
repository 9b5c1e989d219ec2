from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ptce.web"
    label = "web"
