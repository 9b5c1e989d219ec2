"""Pages of projects (namespace "projects"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path

from ptce.web.views import projects as views

HUB = "espace/poles/<slug:slug>/projets/"
PROJECT = HUB + "<int:pk>/"
LINE = PROJECT + "<str:kind>/"

urlpatterns: list = [
    path(
        "projets/documents/<int:pk>/", views.document, name="document"
    ),  # before the public pages' pattern
    path("projets/<slug:pole_slug>/<slug:project_slug>/", views.public, name="public"),
    path(HUB, views.index, name="index"),
    path(HUB + "nouveau/", views.project_create, name="project_create"),
    path(HUB + "axes/nouveau/", views.axis_create, name="axis_create"),
    path(HUB + "axes/<int:pk>/", views.axis_edit, name="axis_edit"),
    path(HUB + "axes/<int:pk>/supprimer/", views.axis_delete, name="axis_delete"),
    path(PROJECT, views.project, name="project"),
    path(PROJECT + "modifier/", views.project_edit, name="project_edit"),
    path(PROJECT + "suivi/", views.follow_up, name="follow_up"),
    path(PROJECT + "documents/nouveau/", views.document_create, name="document_create"),
    path(
        PROJECT + "documents/<int:doc_pk>/supprimer/",
        views.document_delete,
        name="document_delete",
    ),
    path(LINE + "nouveau/", views.line_form, name="line_create"),
    path(LINE + "<int:line_pk>/", views.line_form, name="line_edit"),
    path(LINE + "<int:line_pk>/supprimer/", views.line_delete, name="line_delete"),
]
