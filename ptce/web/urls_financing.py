"""Pages of financing (namespace "financing"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path

from ptce.web.views import financing

HUB = "espace/poles/<slug:slug>/financement/"

urlpatterns: list = [
    path("campagnes/<int:pk>/", financing.campaign, name="campaign"),
    path("campagnes/<int:pk>/chiffres.json", financing.campaign_data, name="campaign_data"),
    path("campagnes/<int:pk>/communes/", financing.commune_search, name="commune_search"),
    path(
        "campagnes/<int:pk>/attestations/<uuid:ref>/<str:token>.pdf",
        financing.my_certificate,
        name="my_certificate",
    ),
    path(HUB, financing.campaigns, name="campaigns"),
    path(HUB + "nouvelle/", financing.campaign_create, name="campaign_create"),
    path(HUB + "donnees-personnelles/", financing.investor_data, name="investor_data"),
    path(HUB + "<int:pk>/", financing.hub_campaign, name="hub_campaign"),
    path(HUB + "<int:pk>/modifier/", financing.campaign_edit, name="campaign_edit"),
    path(HUB + "<int:pk>/etat/", financing.campaign_state, name="campaign_state"),
    path(HUB + "<int:pk>/remboursements/", financing.refunds, name="refunds"),
    path(
        HUB + "<int:pk>/registre.<str:fmt>",
        financing.register_download,
        name="register",
    ),
    path(HUB + "<int:pk>/souscriptions/<int:sub>/paiement/", financing.payment, name="payment"),
    path(
        HUB + "<int:pk>/souscriptions/<int:sub>/attestation.pdf",
        financing.certificate,
        name="certificate",
    ),
]
