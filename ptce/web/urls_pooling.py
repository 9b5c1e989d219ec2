"""Pages of pooling (namespace "pooling"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path

from ptce.web.views import pooling as views
from ptce.web.views import pooling_accounting as accounts

BASE = "espace/poles/<slug:slug>/mutualisation/"

urlpatterns: list = [
    path(BASE, views.index, name="index"),
    path(BASE + "ressources/nouvelle/", views.resource_create, name="resource_create"),
    path(BASE + "ressources/<int:resource_id>/", views.resource, name="resource"),
    path(
        BASE + "ressources/<int:resource_id>/modifier/", views.resource_edit, name="resource_edit"
    ),
    path(BASE + "ressources/<int:resource_id>/repartition/", accounts.rule, name="rule"),
    path(BASE + "reserver/", views.book, name="book"),
    path(BASE + "reservations/<int:booking_id>/annuler/", views.cancel, name="cancel"),
    path(BASE + "calendrier/", views.week, name="week"),
    path(BASE + "calendrier/mois/", views.month, name="month"),
    path(BASE + "utilisation/", views.usage, name="usage"),
    path(BASE + "flux/", views.feed_create, name="feed_create"),
    path(BASE + "flux/<int:token_id>/revoquer/", views.feed_revoke, name="feed_revoke"),
    path(BASE + "couts/", accounts.costs, name="costs"),
    path(BASE + "couts/import/", accounts.cost_import, name="cost_import"),
    path(BASE + "couts/<int:cost_id>/supprimer/", accounts.cost_delete, name="cost_delete"),
    path(BASE + "periodes/", accounts.periods, name="periods"),
    path(BASE + "periodes/<int:period_id>/", accounts.period, name="period"),
    path(BASE + "periodes/<int:period_id>/calcul/", accounts.period_compute, name="period_compute"),
    path(BASE + "periodes/<int:period_id>/regularisation/", accounts.adjustment, name="adjustment"),
    path(BASE + "periodes/<int:period_id>/releves.csv", accounts.period_csv, name="period_csv"),
    path(BASE + "releves/<int:statement_id>.pdf", accounts.statement_pdf, name="statement_pdf"),
    path("mutualisation/ical/<str:token>.ics", views.feed, name="feed"),
]
