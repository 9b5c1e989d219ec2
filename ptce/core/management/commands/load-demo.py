"""Demo data for `make demo`: the five real hubs of DOMAIN.md with invented members, about
150 generated hubs over France, and one account per role, printed with the common password.

Idempotent; the builders are `ptce.poles.demo`, then each area's `demo.build()`.
"""

from importlib import import_module

from django.core.management.base import BaseCommand, CommandError

from ptce.poles import demo

# The demo data of each area of a hub, built on the demo hubs, in this order (financing
# attaches its campaigns to the projects; cooperation links to pooled resources).
AREA_DEMOS = (
    "ptce.projects.demo",
    "ptce.financing.demo",
    "ptce.pooling.demo",
    "ptce.pooling.employees.demo",
    "ptce.cooperation.demo",
)


class Command(BaseCommand):
    help = "Create the demo hubs, members and accounts (idempotent); prints the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--generated-hubs",
            type=int,
            default=demo.GENERATED_HUBS,
            help="number of generated hubs (fictitious) besides the five real ones",
        )

    def handle(self, *args, generated_hubs: int, **options):
        try:
            report = demo.build(generated_hubs=generated_hubs)
            for module in AREA_DEMOS:
                report.created.update(import_module(module).build())
        except demo.ReferenceMissing as exc:
            raise CommandError(str(exc)) from exc
        for line in demo.summary(report):
            self.stdout.write(line)
