"""Pages of the actor directory (namespace "directory", under /annuaire/)."""

from django.urls import path

from ptce.web.views import directory

urlpatterns = [
    path("", directory.search, name="search"),
    path("organisations/<int:pk>/", directory.organisation, name="organisation"),
    path("import/", directory.import_upload, name="import"),
    path("import/apercu/", directory.import_preview, name="import_preview"),
    path("import/confirmer/", directory.import_confirm, name="import_confirm"),
    path("import/resultat/", directory.import_result, name="import_result"),
]
