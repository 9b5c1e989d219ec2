"""Pages of cooperation (namespace "cooperation"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path

from ptce.web.views import cooperation as views

BASE = "espace/poles/<slug:slug>/cooperation/"

urlpatterns: list = [
    path("espace/reseau/cooperation/", views.network, name="network"),
    path(BASE, views.index, name="index"),
    path(BASE + "declarations/<int:declaration_id>/retirer/", views.withdraw, name="withdraw"),
    path(BASE + "besoins-offres.csv", views.export, name="export"),
    path(BASE + "propositions/", views.proposals, name="proposals"),
    path(BASE + "propositions/recherche/", views.run, name="run"),
    path(BASE + "propositions/<int:proposal_id>/<str:verb>/", views.answer, name="answer"),
    path(BASE + "graphe/", views.graph, name="graph"),
    path(BASE + "graphe/mutualisation/", views.import_links, name="import_links"),
    path(BASE + "<str:side_slug>/", views.declarations, name="declarations"),
]
