from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ptce.territories.importers.reference import ReferenceFileError, load_reference


class Command(BaseCommand):
    help = (
        "Load (or refresh) the French territory reference: régions, départements, EPCI, communes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=str(settings.TERRITORIES_DATA_DIR),
            help="folder holding reference.json.xz and communes.csv.xz",
        )

    def handle(self, *args, data_dir: str, **options):
        try:
            report = load_reference(Path(data_dir), progress=self.stdout.write)
        except ReferenceFileError as exc:
            raise CommandError(str(exc)) from exc
        for table, counts in report.tables.items():
            self.stdout.write(f"  {table} : {counts}")
        verdict = "référentiel chargé" if report.changed else "référentiel déjà à jour"
        self.stdout.write(self.style.SUCCESS(f"{verdict} (version {report.version})"))
