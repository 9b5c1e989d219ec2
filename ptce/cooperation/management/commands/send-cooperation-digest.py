"""`ptce send-cooperation-digest`: the weekly digest of synergy proposals (run it weekly,
e.g. from cron on Monday morning) for the people who chose it."""

from django.core.management.base import BaseCommand

from ptce.cooperation import notifications


class Command(BaseCommand):
    help = "Send the weekly digest of cooperation proposals to those who chose it."

    def handle(self, *args, **options):
        sent = notifications.send_digests()
        self.stdout.write(f"{sent} résumé(s) envoyé(s).")
