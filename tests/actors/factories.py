"""Organisations built through the services, with valid SIRENs computed on the fly."""

from __future__ import annotations

import itertools

from ptce.actors import services
from ptce.actors.models import Organisation

_counter = itertools.count(1)


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit to `digits`."""
    total = 0
    for i, ch in enumerate(reversed(digits + "0")):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def new_siren() -> str:
    return luhn_complete(f"8{next(_counter):07d}")


def siret_for(siren: str, nic: int = 1) -> str:
    return luhn_complete(f"{siren}{nic:04d}")


def organisation(
    name: str = "Association Les Jardins Partagés (fictive)",
    *,
    categorie_juridique: str = "9220",
    naf: str = "88.99B",
    commune: str | None = "26281",
    siren: str | None = "auto",
    **values,
) -> Organisation:
    org = services.create_organisation(
        None,
        name=name,
        siren=new_siren() if siren == "auto" else siren,
        categorie_juridique=categorie_juridique,
        naf=naf,
        **values,
    )
    if commune:
        services.add_establishment(
            None,
            organisation=org,
            siret=siret_for(org.siren) if org.siren else "",
            code_commune=commune,
            siege=True,
        )
    return org


def association(name: str = "Association Les Jardins Partagés (fictive)", **values) -> Organisation:
    return organisation(name, categorie_juridique="9220", naf="88.99B", **values)


def scop(name: str = "Scop Les Tisserands Romanais (fictive)", **values) -> Organisation:
    return organisation(name, categorie_juridique="5458", naf="13.20Z", **values)


def sme(name: str = "Chaussures Drômoises SARL (fictive)", **values) -> Organisation:
    return organisation(
        name, categorie_juridique="5499", naf="15.20Z", tranche_effectifs="11", **values
    )


def commune_body(name: str = "Commune de Romans-sur-Isère", **values) -> Organisation:
    return organisation(name, categorie_juridique="7210", naf="84.11Z", **values)
