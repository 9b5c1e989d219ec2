from django.core.management.base import BaseCommand, CommandError

from ptce.core import services
from ptce.core.models import User


class Command(BaseCommand):
    help = "Create an API token for a user and print its key once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"Aucun utilisateur avec l'adresse {email}.")
        token, raw = services.create_api_token(None, user=user, name=name)
        self.stdout.write(raw)
        self.stderr.write(
            f"Jeton « {token.name} » créé pour {user.email} ; "
            "conservez-le, il ne sera plus affiché."
        )
