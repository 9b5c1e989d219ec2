"""The classification of an organisation, said in a sentence for its page and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ptce.actors import classification
from ptce.actors.models import Organisation
from ptce.core.i18n import translate


def classification_message(organisation: Organisation) -> str:
    if organisation.actor_type_override:
        return _("Type déclaré par la coordination ou l'organisation : %(type)s.") % {
            "type": organisation.get_actor_type_display()
        }
    result = classification.classify(
        organisation.categorie_juridique or None,
        organisation.ess,
        organisation.naf or None,
        organisation.tranche_effectifs or None,
        has_siren=bool(organisation.siren),
    )
    return translate(result.message)
