"""Vocabularies shared by every domain app: roles on a hub and visibility of records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's role on one hub (platform staff is `User.is_staff`)."""

    COORDINATOR = "coordinator", _("Coordination")
    MEMBER = "member", _("Membre")
    OBSERVER = "observer", _("Observateur")
    REVIEWER = "reviewer", _("Évaluateur")


class Visibility(models.TextChoices):
    """Who may read a record that belongs to a hub."""

    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Membres du pôle")
    COORDINATORS = "coordinators", _("Coordination du pôle")
    OWNER = "owner", _("Organisation qui l'a saisi")
