"""Import the SIRENE register (INSEE stock files) into organisations and establishments.

`import_sirene` is what `ptce import-sirene` runs. In one transaction:

1. the establishments file is streamed: rows checked (SIRET, SIREN, état), filtered
   (départements, régions, perimeter, active only), converted (name, address, NAF,
   Lambert-93 -> WGS84 or the commune's centroid) and staged; rejected rows go to the
   rejects CSV with their line number and reason, and never stop the import;
2. the legal-units file, when given, is streamed: only the SIREN of kept establishments
   are staged, classified by `classification.classify_many`;
3. the geolocation file, when given, is streamed: positions of kept SIRET are staged;
4. organisations, then establishments are upserted from the stages (`sirene_write`).

Anything that makes the import impossible (a file that cannot be read, a required column
missing, a truncated zip...) raises `SireneImportError` and nothing is written. Memory
stays bounded whatever the file size: CSV blocks of 4 MiB, plus 12 bytes per kept
establishment to find duplicate SIRETs (about 500 MB for a region of 2 M establishments,
measured). Line numbers count records, the header being line 1: they are the file's line
numbers as long as no value holds a line break (none does in INSEE's files).

`last_import_at()` tells in-memory indexes (the map) when establishments last changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from numpy.typing import NDArray

from ptce.actors import classification
from ptce.actors.importers import sirene_write as write
from ptce.actors.importers.sirene_checks import KeySet, distinct_sorted
from ptce.actors.importers.sirene_files import SireneImportError, TableFile
from ptce.actors.importers.sirene_read import (
    ESTABLISHMENT_OPTIONAL,
    ESTABLISHMENT_REQUIRED,
    GEOLOCATION_OPTIONAL,
    GEOLOCATION_REQUIRED,
    LEGAL_UNIT_OPTIONAL,
    LEGAL_UNIT_REQUIRED,
    Communes,
    EstablishmentContext,
    GeolocationContext,
    LegalUnitContext,
    Reject,
    RowFilter,
    prepare_establishments,
    prepare_geolocation,
    prepare_legal_units,
    provisional_classes,
)
from ptce.actors.models import Establishment
from ptce.actors.signals import forget_indexes
from ptce.territories.models import Commune, Departement, Perimeter, Region

__all__ = [
    "ImportReport",
    "Progress",
    "SireneImportError",
    "import_sirene",
    "last_import_at",
]

ESTABLISHMENTS_LABEL = "Fichier des établissements"
LEGAL_UNITS_LABEL = "Fichier des unités légales"
GEOLOCATION_LABEL = "Fichier de géolocalisation"
REJECT_SAMPLE = 100


@dataclass
class ImportReport:
    read: int = 0  # data rows of the establishments file
    kept: int = 0  # valid, within the filters, staged
    rejected: int = 0  # rows of any file written to the rejects CSV
    establishments: write.Counts = field(default_factory=write.Counts)
    organisations: write.Counts = field(default_factory=write.Counts)
    legal_units_read: int = 0
    geolocation_read: int = 0
    seconds: float = 0.0
    rejects_path: Path | None = None
    reject_sample: list[Reject] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds by phase

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[phase] = time.perf_counter() - started

    @property
    def inserted(self) -> int:
        return self.establishments.inserted

    @property
    def updated(self) -> int:
        return self.establishments.updated

    @property
    def unchanged(self) -> int:
        return self.establishments.unchanged

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


# ----------------------------------------------------------------------------- progress


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


class Progress:
    """A line every `interval` seconds while reading: rows read and rows per second;
    updated in place (carriage return) on a terminal, plain lines otherwise."""

    def __init__(
        self,
        write: Callable[[str], Any] | None = None,
        *,
        tty: bool = False,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._tty = tty
        self._interval = interval
        self._clock = clock
        self._started = self._last = clock()
        self._pending = False

    def start(self) -> None:
        self._started = self._last = self._clock()

    def rows(self, label: str, count: int) -> None:
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._line(label, count, now)

    def done(self, label: str, count: int) -> None:
        self._line(label, count, self._clock())
        self._end_line()

    def say(self, message: str) -> None:
        self._end_line()
        if self._write:
            self._write(f"{message}\n")

    def _line(self, label: str, count: int, now: float) -> None:
        if not self._write:
            return
        elapsed = max(now - self._started, 1e-9)
        text = f"{label} : {_number(count)} lignes lues ({_number(count / elapsed)} lignes/s)"
        if self._tty:
            self._write(f"\r{text}\x1b[K")
            self._pending = True
        else:
            self._write(f"{text}\n")

    def _end_line(self) -> None:
        if self._pending and self._write:
            self._write("\n")
        self._pending = False


# ------------------------------------------------------------------------------ rejects


class RejectLog:
    """The rejects CSV (fichier, ligne, identifiant, motif), written next to its final
    path and moved there when the import succeeds; removed when it fails."""

    HEADER = ("fichier", "ligne", "identifiant", "motif")

    def __init__(self, path: Path | None, report: ImportReport) -> None:
        self.path = path
        self.report = report
        self._partial = path.with_name(f"{path.name}.part") if path else None
        self._file: Any = None
        self._writer: Any = None

    def __enter__(self) -> RejectLog:
        if self._partial is not None:
            self._partial.parent.mkdir(parents=True, exist_ok=True)
            self._file = self._partial.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(self.HEADER)
        return self

    def add(self, rejects: Iterable[Reject]) -> None:
        for reject in rejects:
            self.report.rejected += 1
            if len(self.report.reject_sample) < REJECT_SAMPLE:
                self.report.reject_sample.append(reject)
            if self._writer is not None:
                self._writer.writerow((reject.file, reject.line, reject.identifier, reject.reason))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._file is None or self._partial is None or self.path is None:
            return
        self._file.close()
        if kind is None:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)


# ------------------------------------------------------------------ reference and filters


def load_communes() -> Communes:
    rows = Commune.objects.order_by("code_insee").values_list(
        "code_insee", "departement_id", "lat", "lon"
    )
    return Communes.from_rows(list(rows))


def _codes(values: Iterable[str]) -> set[str]:
    cleaned = {str(v).strip().upper() for v in values if str(v).strip()}
    return {c.zfill(2) if c.isdigit() and len(c) == 1 else c for c in cleaned}


def build_filter(
    *,
    departements: Sequence[str] = (),
    regions: Sequence[str] = (),
    perimeter: str | None = None,
    active_only: bool = False,
) -> RowFilter:
    """The row filter of the options; unknown codes or perimeter stop the import."""
    kept: set[str] | None = None
    if departements:
        kept = _codes(departements)
        known = set(Departement.objects.values_list("code", flat=True))
        unknown = sorted(kept - known) if known else []
        if unknown:
            raise SireneImportError(f"Département(s) inconnu(s) : {', '.join(unknown)}.")
    if regions:
        wanted = _codes(regions)
        unknown = sorted(wanted - set(Region.objects.values_list("code", flat=True)))
        if unknown:
            raise SireneImportError(
                f"Région(s) inconnue(s) : {', '.join(unknown)} "
                "(le référentiel des territoires est-il chargé ?)."
            )
        in_regions = set(
            Departement.objects.filter(region_id__in=wanted).values_list("code", flat=True)
        )
        kept = in_regions if kept is None else kept & in_regions
    communes: set[str] | None = None
    if perimeter:
        found = Perimeter.objects.filter(slug=perimeter).first()
        if found is None:
            raise SireneImportError(f"Périmètre inconnu : « {perimeter} ».")
        communes = set(found.communes.values_list("code_insee", flat=True))
        # SIRENE locates establishments of Paris, Lyon and Marseille in arrondissements.
        communes |= set(
            Commune.objects.filter(commune_parent_id__in=communes).values_list(
                "code_insee", flat=True
            )
        )
    return RowFilter(
        departements=None if kept is None else pa.array(sorted(kept), type=pa.string()),
        communes=None if communes is None else pa.array(sorted(communes), type=pa.string()),
        active_only=active_only,
    )


# ------------------------------------------------------------------------------- import


@dataclass(frozen=True)
class _Files:
    establishments: TableFile
    legal_units: TableFile | None
    geolocation: TableFile | None


def _open_files(establishments: Path, legal_units: Path | None, geolocation: Path | None) -> _Files:
    """Open every file and check its header before anything is read or written."""
    return _Files(
        establishments=TableFile(
            establishments,
            ESTABLISHMENTS_LABEL,
            wanted=(*ESTABLISHMENT_REQUIRED, *ESTABLISHMENT_OPTIONAL),
            required=ESTABLISHMENT_REQUIRED,
        ),
        legal_units=_legal_units_file(legal_units) if legal_units else None,
        geolocation=_geolocation_file(geolocation) if geolocation else None,
    )


def _legal_units_file(path: Path) -> TableFile:
    return TableFile(
        path,
        LEGAL_UNITS_LABEL,
        wanted=(*LEGAL_UNIT_REQUIRED, *LEGAL_UNIT_OPTIONAL),
        required=LEGAL_UNIT_REQUIRED,
    )


def _geolocation_file(path: Path) -> TableFile:
    return TableFile(
        path,
        GEOLOCATION_LABEL,
        wanted=(*GEOLOCATION_REQUIRED, *GEOLOCATION_OPTIONAL),
        required=GEOLOCATION_REQUIRED,
        delimiter=None,  # INSEE separates it with ";": accept either
    )


@dataclass
class _Run:
    """One import under way: where it writes, what it reports."""

    db: write.Database
    report: ImportReport
    rejects: RejectLog
    progress: Progress
    staged_in_order: bool = False  # establishments staged in SIRET order


def import_sirene(
    *,
    establishments: Path,
    legal_units: Path | None = None,
    geolocation: Path | None = None,
    departements: Sequence[str] = (),
    regions: Sequence[str] = (),
    perimeter: str | None = None,
    ess_only: bool = False,
    active_only: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import SIRENE files (see the module docstring); the report of what was done."""
    started = time.perf_counter()
    if ess_only and legal_units is None:
        raise SireneImportError(
            "--ess-only : le fichier des unités légales (--unites-legales) est nécessaire "
            "pour savoir quelles unités relèvent de l'ESS."
        )
    files = _open_files(establishments, legal_units, geolocation)
    row_filter = build_filter(
        departements=departements,
        regions=regions,
        perimeter=perimeter,
        active_only=active_only,
    )
    communes = load_communes()
    report = ImportReport(rejects_path=rejects_path)
    db = write.Database(connection)
    with RejectLog(rejects_path, report) as rejects, db.unmapped():
        with transaction.atomic():
            run = _Run(db, report, rejects, progress or Progress())
            run.db.tune()
            with report.timed("reading"):
                _stage_all(run, files, communes, row_filter)
                if ess_only:
                    write.keep_ess_only(run.db)
                report.kept = run.db.count(write.ESTABLISHMENTS)
            _write_all(run)
            forget_indexes()
            committing = time.perf_counter()
        report.timings["commit"] = time.perf_counter() - committing
    report.seconds = time.perf_counter() - started
    return report


def _stage_all(run: _Run, files: _Files, communes: Communes, row_filter: RowFilter) -> None:
    run.db.create_stages()
    sirets = _stage_establishments(run, files.establishments, communes, row_filter)
    if files.legal_units is not None:
        _stage_legal_units(run, files.legal_units, distinct_sorted(sirets // 100_000))
    if files.geolocation is not None:
        _stage_geolocation(run, files.geolocation, sirets)
    run.db.index_stages()


def _stage_establishments(
    run: _Run, file: TableFile, communes: Communes, row_filter: RowFilter
) -> NDArray[np.int64]:
    """Stage the kept establishments; their SIRETs, sorted."""
    ctx = EstablishmentContext(
        communes=communes,
        row_filter=row_filter,
        has_nomenclature="nomenclatureActivitePrincipaleEtablissement" in file.present,
        seen=KeySet(),
        heads=KeySet(),
    )
    activities: set[tuple[str, str]] = set()
    run.progress.start()
    with run.db.stager(write.ESTABLISHMENTS) as stage:
        for batch in file.batches():
            prepared = prepare_establishments(batch, ctx)
            run.report.read += batch.length
            run.rejects.add(prepared.rejects)
            if prepared.rows is not None:
                stage(prepared.rows)
            activities |= prepared.head_activities
            run.progress.rows("Établissements", run.report.read)
    run.progress.done("Établissements", run.report.read)
    run.db.stage(write.CLASSES, provisional_classes(activities))
    run.staged_in_order = ctx.in_order
    return ctx.seen.sorted_keys()


def _stage_legal_units(run: _Run, file: TableFile, sirens: NDArray[np.int64]) -> None:
    ctx = LegalUnitContext(
        kept_sirens=sirens,
        has_nomenclature="nomenclatureActivitePrincipaleUniteLegale" in file.present,
        seen=KeySet(),
    )
    run.progress.start()
    with run.db.stager(write.LEGAL_UNITS) as stage:
        for batch in file.batches():
            table, found = prepare_legal_units(batch, ctx)
            run.report.legal_units_read += batch.length
            run.rejects.add(found)
            if table is not None:
                stage(table)
            run.progress.rows("Unités légales", run.report.legal_units_read)
    run.progress.done("Unités légales", run.report.legal_units_read)


def _stage_geolocation(run: _Run, file: TableFile, sirets: NDArray[np.int64]) -> None:
    ctx = GeolocationContext(kept_sirets=sirets, seen=KeySet())
    run.progress.start()
    with run.db.stager(write.GEOLOCATION) as stage:
        for batch in file.batches():
            table = prepare_geolocation(batch, ctx)
            run.report.geolocation_read += batch.length
            if table is not None:
                stage(table)
            run.progress.rows("Géolocalisation", run.report.geolocation_read)
    run.progress.done("Géolocalisation", run.report.geolocation_read)


def _write_all(run: _Run) -> None:
    db, report, now = run.db, run.report, timezone.now()
    write.lock_targets(db)
    run.progress.say("Écriture des organisations…")
    with report.timed("organisations"), db.page_cache(write.SQLITE_ORGANISATION_CACHE_KIB):
        report.organisations = write.upsert_organisations(db, now)
        generic = classification.classify(None, None, None, None)
        report.organisations.inserted += write.insert_provisional_organisations(
            db, now, generic, in_order=run.staged_in_order
        )
    run.progress.say("Écriture des établissements…")
    with report.timed("establishments"):
        report.establishments = write.upsert_establishments(db, now, in_order=run.staged_in_order)
        db.drop_stages()


def last_import_at() -> dt.datetime | None:
    """When establishments last changed (an import, or an edit): in-memory indexes built
    from them compare it with the value they were built at."""
    value: dt.datetime | None = Establishment.objects.aggregate(last=Max("updated_at"))["last"]
    return value
