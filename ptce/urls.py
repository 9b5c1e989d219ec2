from django.contrib import admin
from django.urls import include, path

from ptce.api.api import api

admin.site.site_header = "ptce — administration"
admin.site.site_title = "ptce"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ptce.web.urls")),
]

# MEDIA_ROOT holds private files only (project documents): they are served by views that
# check who asks, never as /media/ (not even in DEBUG).
