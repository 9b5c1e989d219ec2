"""`ptce import-sirene`: import the SIRENE register (INSEE stock files) into the directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ptce.actors.importers.sirene import (
    ImportReport,
    Progress,
    SireneImportError,
    import_sirene,
)


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Importe le répertoire SIRENE (fichiers stock de l'INSEE : zip, CSV ou Parquet) dans "
        "l'annuaire des organisations et des établissements."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--etablissements",
            required=True,
            type=Path,
            help="StockEtablissement : le zip de l'INSEE, le CSV ou le Parquet",
        )
        parser.add_argument(
            "--unites-legales", type=Path, help="StockUniteLegale (zip, CSV ou Parquet)"
        )
        parser.add_argument(
            "--geolocalisation",
            type=Path,
            help="géolocalisation des établissements (CSV séparé par des points-virgules)",
        )
        parser.add_argument(
            "--departement",
            action="append",
            default=[],
            help="ne garder que ce département (option répétable)",
        )
        parser.add_argument(
            "--region", action="append", default=[], help="ne garder que cette région (répétable)"
        )
        parser.add_argument("--perimeter", help="ne garder que les communes de ce périmètre (slug)")
        parser.add_argument(
            "--ess-only",
            action="store_true",
            help="ne garder que les unités légales de l'ESS (nécessite --unites-legales)",
        )
        parser.add_argument(
            "--active-only", action="store_true", help="ne garder que les établissements actifs"
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            help="fichier CSV des lignes rejetées (par défaut : var/imports/sirene-rejets-….csv)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rejects = options["rejects"] or self._default_rejects_path()
        progress = Progress(
            lambda text: self.stderr.write(text, ending=""), tty=self.stderr.isatty()
        )
        try:
            report = import_sirene(
                establishments=options["etablissements"],
                legal_units=options["unites_legales"],
                geolocation=options["geolocalisation"],
                departements=options["departement"],
                regions=options["region"],
                perimeter=options["perimeter"],
                ess_only=options["ess_only"],
                active_only=options["active_only"],
                rejects_path=rejects,
                progress=progress,
            )
        except SireneImportError as exc:
            raise CommandError(f"Import SIRENE interrompu, rien n'a été écrit. {exc}") from exc
        self._print(report)

    @staticmethod
    def _default_rejects_path() -> Path:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return Path(settings.VAR_DIR) / "imports" / f"sirene-rejets-{stamp}.csv"

    def _print(self, report: ImportReport) -> None:
        est, org = report.establishments, report.organisations
        lines = [
            f"Établissements lus : {_number(report.read)}",
            f"Établissements retenus par les filtres : {_number(report.kept)}",
            f"Établissements insérés : {_number(est.inserted)}, mis à jour : "
            f"{_number(est.updated)}, inchangés : {_number(est.unchanged)}",
            f"Organisations créées : {_number(org.inserted)}, mises à jour : "
            f"{_number(org.updated)}, inchangées : {_number(org.unchanged)}",
            f"Lignes rejetées : {_number(report.rejected)} (détail : {report.rejects_path})",
            f"Durée : {report.seconds:.1f} s ({_number(report.rows_per_second)} lignes/s)",
        ]
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Import SIRENE terminé."))
