"""Demo data for `make demo`: accounts for every role, printed with their passwords.

Idempotent. Each domain app adds its demo data here as it arrives.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from ptce.core import services
from ptce.core.choices import Role
from ptce.core.models import User
from ptce.poles import services as pole_services
from ptce.poles.models import Pole
from ptce.territories.models import Commune, Perimeter
from ptce.territories.services import save_perimeter

DEMO_PASSWORD = "demo-ptce-2026"  # noqa: S105 - printed on purpose, demo only
DEMO_DOMAIN = "demo.ptce.invalid"


class Command(BaseCommand):
    help = "Create the demo accounts and data (idempotent); prints the logins."

    def _user(self, email: str, first: str, last: str, *, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = services.create_user(
                None,
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_staff=staff,
            )
            if staff:
                services.update_user(None, user=user, is_superuser=True)
        return user

    @transaction.atomic
    def handle(self, *args, **options):
        staff = self._user(f"staff@{DEMO_DOMAIN}", "Sacha", "Plateforme", staff=True)
        accounts = [(staff.email, "équipe de la plateforme (staff, administration)")]
        if Commune.objects.filter(code_insee="26281").exists():
            if not Perimeter.objects.filter(slug="pays-de-romans").exists():
                save_perimeter(
                    staff,
                    name="Pays de Romans",
                    definition={"radii": [{"lat": 45.0433, "lon": 5.0511, "km": 12}]},
                )
            pole = Pole.objects.filter(slug="pole-sud-archer").first() or pole_services.create_pole(
                None, name="Pôle Sud / Groupe Archer (démo)", slug="pole-sud-archer"
            )
            people = [
                ("coordination.archer", "Alex", "Coordination", Role.COORDINATOR),
                ("membre.archer", "Dominique", "Membre", Role.MEMBER),
                ("observateur.archer", "Claude", "Financeur", Role.OBSERVER),
            ]
            for login, first, last, role in people:
                user = self._user(f"{login}@{DEMO_DOMAIN}", first, last)
                pole_services.grant_role(staff, pole=pole, user=user, role=role)
                accounts.append((user.email, f"{Role(role).label} — {pole.name}"))
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        for email, what in accounts:
            self.stdout.write(f"  {email:45} {what}")
