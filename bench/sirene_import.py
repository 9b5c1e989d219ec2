"""SIRENE import (`ptce import-sirene`): rows/s on SQLite and PostgreSQL, peak memory.

A synthetic establishments stock in INSEE's current CSV format (54 columns), fixed seed,
`PTCE_BENCH_SIRENE_ROWS` rows (default 2,000,000: a region): about 1.4 establishments per
legal unit (as in the national stock), sorted by SIREN as INSEE sorts it, spread over the
101 départements and 35,000 communes of a synthetic reference, 45 % active, 75 % with
Lambert-93 coordinates, 3 % partially diffusible, 0.05 % invalid SIRETs. No legal-units
file: organisations are created from the head offices (the import's provisional path).

Each measurement runs in a child process on a fresh database, so that Django is set up
once per database and the peak RSS is the import's own:

* SQLite: a file in a temporary directory (`PTCE_VAR_DIR`), migrated by `migrate`;
* PostgreSQL, when reachable (`DATABASE_URL`, else postgres://postgres@127.0.0.1:5432/test):
  a database `ptce_bench` created, migrated, dropped at the end.

Baselines, measured in the same run on the same database:

* raw bulk path: the same rows, already in memory, into a bare table (no index, no
  constraint) — SQLite `executemany`, PostgreSQL `COPY`; target ratio >= 0.5;
* Django `bulk_create` of the row objects, on a 100,000-row sample: the `Organisation` of
  each distinct SIREN, then the `Establishment`s pointing to them, as a first import
  writes them (objects built beforehand, untimed); target: the import at least 4x
  faster. Also printed, for information: the establishments alone under one
  organisation (the baseline until 2026-12-04, which left out half the import's writes).

A third figure bounds the first: the import's own reading, checking and converting of
the stock with nothing written (rows/s against the same raw path). The raw path times
only the writes of rows already converted, so the import's ratio cannot exceed this one.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bench import Report
from tests.actors.sirene_format import STOCK_ETABLISSEMENT_HEADER

SEED = 20261126
ROWS = int(os.environ.get("PTCE_BENCH_SIRENE_ROWS", "2000000"))
BULK_CREATE_ROWS = 100_000
CHUNK = 250_000
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = os.environ.get("PTCE_BENCH_DB", "ptce_bench")  # one per concurrent run

HEADER = STOCK_ETABLISSEMENT_HEADER

DEPARTEMENTS = (
    [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"] + ["971", "972", "973", "974"]
)
COMMUNES_PER_DEPARTEMENT = 350
WORDS = [
    "ATELIER",
    "BOULANGERIE",
    "JARDINS",
    "SOLIDAIRES",
    "COOPERATIVE",
    "ASSOCIATION",
    "GARAGE",
    "CAFE",
    "MAISON",
    "DU",
    "DES",
    "LA",
    "LE",
    "LES",
    "AMIS",
    "CENTRE",
    "SOCIAL",
    "RESSOURCERIE",
    "BIO",
    "FERME",
    "ENERGIES",
    "CITOYENNES",
    "SERVICES",
    "TRANSPORTS",
    "HABITAT",
    "NUMERIQUE",
    "CULTURE",
    "THEATRE",
    "CINEMA",
    "EPICERIE",
    "VRAC",
    "MENUISERIE",
    "PLOMBERIE",
    "ELECTRICITE",
    "CONSEIL",
    "FORMATION",
    "SANTE",
    "PHARMACIE",
    "RESTAURANT",
    "HOTEL",
    "VALLEE",
    "ISERE",
    "DROME",
    "ROMANS",
    "VALENCE",
    "LOIRE",
    "SAINT",
    "ETIENNE",
    "MONT",
    "PONT",
    "VIEUX",
    "NOUVEAU",
    "GRAND",
    "PETIT",
]
STREETS = ["RUE", "AV", "BD", "CHE", "RTE", "PL", "IMP", "ALL", "QUA", "LD"]
NAF = [
    "88.99B",
    "94.99Z",
    "47.11F",
    "56.10A",
    "62.01Z",
    "43.21A",
    "85.59A",
    "86.21Z",
    "68.20B",
    "70.22Z",
    "96.02A",
    "41.20A",
    "45.20A",
    "10.71C",
    "01.11Z",
    "55.10Z",
    "93.12Z",
    "90.01Z",
    "81.21Z",
    "49.41A",
    "46.90Z",
    "71.12B",
    "84.11Z",
    "87.10A",
]
TRANCHES = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41")
TRANCHE_WEIGHTS = (0.55, 0.15, 0.12, 0.06, 0.04, 0.03, 0.02, 0.01, 0.008, 0.004, 0.004, 0.004)


# ------------------------------------------------------------------------ synthetic data


def luhn_digit(numbers: np.ndarray, width: int) -> np.ndarray:
    """The Luhn check digit to append to each `width`-digit number."""
    rest = numbers.copy()
    total = np.zeros_like(numbers)
    for position in range(1, width + 1):  # the check digit will sit at position 0
        digit = rest % 10
        rest //= 10
        if position % 2:
            digit = digit * 2
            digit -= 9 * (digit > 9)
        total += digit
    return (10 - total % 10) % 10


def _strings(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(str), type=pa.string())


def _choice(rng: np.random.Generator, words: list[str], n: int, p: Any = None) -> pa.Array:
    return pa.array(np.asarray(words, dtype=object)[rng.choice(len(words), n, p=p)])


def _sometimes(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    return pc.if_else(pa.array(rng.random(len(values)) < share), values, "")


def _phrase(rng: np.random.Generator, n: int, words: int) -> pa.Array:
    parts = [_choice(rng, WORDS, n) for _ in range(words)]
    return pc.binary_join_element_wise(*parts, " ")


def synthetic_chunk(
    rng: np.random.Generator, sirens: np.ndarray, nics: np.ndarray
) -> dict[str, pa.Array]:
    n = len(sirens)
    siret13 = sirens * 10_000 + nics
    sirets = siret13 * 10 + luhn_digit(siret13, 13)
    broken = rng.random(n) < 0.0005
    sirets[broken] = sirets[broken] // 10 * 10 + (sirets[broken] % 10 + 1) % 10
    departement_index = rng.choice(len(DEPARTEMENTS), n)
    departement = np.asarray(DEPARTEMENTS, dtype=object)[departement_index]
    commune = [
        f"{d}{c:03d}" if len(d) == 2 else f"{d}{c % 100:02d}"
        for d, c in zip(departement, rng.integers(1, COMMUNES_PER_DEPARTEMENT + 1, n), strict=True)
    ]
    overseas = np.char.startswith(departement.astype(str), "97")
    placed = ~overseas & (rng.random(n) < 0.8)
    x = np.where(placed, rng.uniform(150_000, 1_150_000, n), np.nan)
    y = np.where(placed, rng.uniform(6_150_000, 7_050_000, n), np.nan)
    hidden = rng.random(n) < 0.03
    days = rng.integers(0, 20_000, n).astype("timedelta64[D]") + np.datetime64("1970-01-01")
    blank = pa.array([""] * n)
    columns = dict.fromkeys(HEADER, blank)
    columns |= {
        "siren": _strings(np.char.zfill(sirens.astype(str), 9)),
        "nic": _strings(np.char.zfill(nics.astype(str), 5)),
        "siret": _strings(np.char.zfill(sirets.astype(str), 14)),
        "statutDiffusionEtablissement": pa.array(np.where(hidden, "P", "O")),
        "dateCreationEtablissement": _strings(days.astype(str)),
        "trancheEffectifsEtablissement": _choice(rng, list(TRANCHES), n, p=TRANCHE_WEIGHTS),
        "etablissementSiege": pa.array(np.where(nics == 1, "true", "false")),
        "numeroVoieEtablissement": _sometimes(rng, _strings(rng.integers(1, 200, n)), 0.7),
        "indiceRepetitionEtablissement": _sometimes(rng, pa.array(["B"] * n), 0.03),
        "typeVoieEtablissement": _choice(rng, STREETS, n),
        "libelleVoieEtablissement": _phrase(rng, n, 3),
        "complementAdresseEtablissement": _sometimes(rng, _phrase(rng, n, 2), 0.1),
        "codePostalEtablissement": pa.array([c[:2] + "100" for c in commune]),
        "codeCommuneEtablissement": pa.array(commune),
        "coordonneeLambertAbscisseEtablissement": pc.fill_null(
            pc.cast(pa.array(np.round(x, 1), from_pandas=True), pa.string()), ""
        ),
        "coordonneeLambertOrdonneeEtablissement": pc.fill_null(
            pc.cast(pa.array(np.round(y, 1), from_pandas=True), pa.string()), ""
        ),
        "etatAdministratifEtablissement": pa.array(np.where(rng.random(n) < 0.45, "A", "F")),
        "enseigne1Etablissement": _sometimes(rng, _phrase(rng, n, 2), 0.2),
        "denominationUsuelleEtablissement": _sometimes(rng, _phrase(rng, n, 3), 0.35),
        "activitePrincipaleEtablissement": _choice(rng, NAF, n),
        "nomenclatureActivitePrincipaleEtablissement": pa.array(["NAFRev2"] * n),
        "caractereEmployeurEtablissement": pa.array(np.where(rng.random(n) < 0.3, "O", "N")),
    }
    for name in ("numeroVoieEtablissement", "libelleVoieEtablissement"):
        columns[name] = pc.if_else(pa.array(hidden), "[ND]", columns[name])
    return columns


def write_stock(path: Path, rows: int, seed: int = SEED) -> None:
    rng = np.random.default_rng(seed)
    units = int(rows / 0.7)  # drawn with replacement: about rows / 1.4 of them get one
    prefixes = np.unique(rng.integers(10_000_000, 99_999_999, int(units * 1.05)))[:units]
    sirens_all = prefixes * 10 + luhn_digit(prefixes, 8)
    unit_of = np.sort(rng.integers(0, len(sirens_all), rows))
    starts = np.concatenate(([True], unit_of[1:] != unit_of[:-1]))
    first = np.maximum.accumulate(np.where(starts, np.arange(rows), 0))
    nics = np.arange(rows) - first + 1
    with pacsv.CSVWriter(
        str(path),
        pa.schema([(name, pa.string()) for name in HEADER]),
        write_options=pacsv.WriteOptions(quoting_style="needed"),
    ) as writer:
        for start in range(0, rows, CHUNK):
            stop = min(rows, start + CHUNK)
            columns = synthetic_chunk(rng, sirens_all[unit_of[start:stop]], nics[start:stop])
            writer.write_table(pa.table(columns))


# ---------------------------------------------------------------------- child processes


def _setup_django(database_url: str | None, var_dir: Path) -> None:
    os.environ["PTCE_VAR_DIR"] = str(var_dir)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    _load_reference()


def _load_reference() -> None:
    """101 départements in 18 régions, 350 communes each, centroids over France."""
    from ptce.territories.models import Commune, Departement, Region

    rng = np.random.default_rng(SEED)
    Region.objects.bulk_create([Region(code=f"{r:02d}", nom=f"Région {r}") for r in range(18)])
    Departement.objects.bulk_create(
        [
            Departement(code=d, nom=f"Département {d}", region_id=f"{i % 18:02d}")
            for i, d in enumerate(DEPARTEMENTS)
        ]
    )
    communes = []
    for i, d in enumerate(DEPARTEMENTS):
        for c in range(1, COMMUNES_PER_DEPARTEMENT + 1):
            code = f"{d}{c:03d}" if len(d) == 2 else f"{d}{c % 100:02d}"
            lat, lon = rng.uniform(42.5, 51.0), rng.uniform(-4.5, 8.0)
            communes.append(
                Commune(
                    code_insee=code,
                    nom=f"Commune {code}",
                    departement_id=d,
                    region_id=f"{i % 18:02d}",
                    lat=lat,
                    lon=lon,
                    min_lon=lon,
                    min_lat=lat,
                    max_lon=lon,
                    max_lat=lat,
                    geometry=b"",
                )
            )
    Commune.objects.bulk_create(communes, batch_size=2000, ignore_conflicts=True)


def read_only(stock: Path) -> float:
    """Seconds to read, check and convert the stock as the import does, writing nothing:
    the import's ceiling, whatever the database."""
    from ptce.actors.importers import sirene
    from ptce.actors.importers.sirene_checks import KeySet
    from ptce.actors.importers.sirene_read import EstablishmentContext, prepare_establishments

    started = time.perf_counter()
    files = sirene._open_files(stock, None, None)
    ctx = EstablishmentContext(
        communes=sirene.load_communes(),
        row_filter=sirene.build_filter(),
        has_nomenclature=True,
        seen=KeySet(),
        heads=KeySet(),
    )
    for batch in files.establishments.batches():
        prepare_establishments(batch, ctx)
    return time.perf_counter() - started


def _peak_rss_kib() -> int:
    """This process's peak resident memory since it started. Linux's `ru_maxrss` keeps, across
    the `exec` of a child, the parent's memory at the `fork` (2.9 GB after the directory
    bench ran in the same `python -m bench`); the high-water mark of /proc is this program's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_import(stock: Path) -> dict[str, Any]:
    from ptce.actors.importers.sirene import import_sirene

    started = time.perf_counter()
    report = import_sirene(establishments=stock, rejects_path=stock.with_suffix(".rejets.csv"))
    seconds = time.perf_counter() - started
    peak_kib = _peak_rss_kib()
    second = import_sirene(establishments=stock)
    return {
        "read_only_seconds": read_only(stock),
        "seconds": seconds,
        "read": report.read,
        "kept": report.kept,
        "inserted": report.inserted,
        "rejected": report.rejected,
        "peak_mib": peak_kib / 1024,
        "second_seconds": second.seconds,
        "second_unchanged": second.unchanged,
        "timings": report.timings,
    }


_RAW_COLUMNS = {
    "siret": "varchar(14)",
    "siren": "varchar(9)",
    "name": "varchar(255)",
    "address": "varchar(255)",
    "code_postal": "varchar(5)",
    "code_commune": "varchar(5)",
    "commune_id": "varchar(5)",
    "departement": "varchar(3)",
    "lat": "double precision",
    "lon": "double precision",
    "precision": "varchar(8)",
    "naf": "varchar(6)",
    "tranche": "varchar(2)",
    "siege": "boolean",
    "active": "boolean",
    "date_creation": "date",
}


def _raw_tables(stock: Path) -> Any:
    """The rows of the stock as the import stores them, chunk by chunk (a pyarrow table)."""
    names = {
        "siret": "siret",
        "siren": "siren",
        "name": "denominationUsuelleEtablissement",
        "address": "libelleVoieEtablissement",
        "code_postal": "codePostalEtablissement",
        "code_commune": "codeCommuneEtablissement",
        "commune_id": "codeCommuneEtablissement",
        "departement": "codeCommuneEtablissement",
        "lat": "coordonneeLambertAbscisseEtablissement",
        "lon": "coordonneeLambertOrdonneeEtablissement",
        "precision": "nomenclatureActivitePrincipaleEtablissement",
        "naf": "activitePrincipaleEtablissement",
        "tranche": "trancheEffectifsEtablissement",
        "siege": "etablissementSiege",
        "active": "etatAdministratifEtablissement",
        "date_creation": "dateCreationEtablissement",
    }
    reader = pacsv.open_csv(
        stock,
        convert_options=pacsv.ConvertOptions(
            include_columns=sorted(set(names.values())),
            column_types=dict.fromkeys(set(names.values()), pa.string()),
        ),
    )
    for batch in reader:
        n = batch.num_rows
        columns = {target: batch.column(source) for target, source in names.items()}
        columns["departement"] = pc.utf8_slice_codeunits(columns["departement"], 0, 2)
        columns["lat"] = pa.array(np.full(n, 45.05))
        columns["lon"] = pa.array(np.full(n, 5.05))
        columns["precision"] = pa.array(["address"] * n)
        columns["siege"] = pc.equal(columns["siege"], "true")
        columns["active"] = pc.equal(columns["active"], "A")
        yield pa.table(columns)


def child_raw(stock: Path) -> dict[str, Any]:
    """The rows into a bare table: SQLite executemany, PostgreSQL COPY; only the writes
    are timed."""
    from django.db import connection, transaction

    connection.ensure_connection()
    raw = connection.connection
    sqlite = connection.vendor == "sqlite"
    body = ", ".join(f"{c} {t if not sqlite else ''}" for c, t in _RAW_COLUMNS.items())
    columns = ", ".join(_RAW_COLUMNS)
    seconds = 0.0
    rows = 0
    with transaction.atomic():
        cursor = raw.cursor()
        cursor.execute(f"CREATE TABLE bench_bare ({body})")
        for table in _raw_tables(stock):
            rows += table.num_rows
            if sqlite:
                values = list(
                    zip(*(table.column(c).to_pylist() for c in _RAW_COLUMNS), strict=True)
                )
                started = time.perf_counter()
                cursor.executemany(
                    f"INSERT INTO bench_bare ({columns}) VALUES ({', '.join('?' * len(_RAW_COLUMNS))})",
                    values,
                )
            else:
                buffer = io.BytesIO()
                pacsv.write_csv(
                    table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed")
                )
                started = time.perf_counter()
                with cursor.copy(f"COPY bench_bare ({columns}) FROM STDIN (FORMAT csv)") as copy:
                    copy.write(buffer.getbuffer())
            seconds += time.perf_counter() - started
        started = time.perf_counter()
    seconds += time.perf_counter() - started  # the commit
    return {"seconds": seconds, "rows": rows}


def _sample_rows(stock: Path) -> list[dict[str, Any]]:
    """The first BULK_CREATE_ROWS rows of the stock, as Establishment field values (and
    their siren)."""
    rows: list[dict[str, Any]] = []
    for table in _raw_tables(stock):
        for row in table.slice(0, BULK_CREATE_ROWS - len(rows)).to_pylist():
            row["tranche_effectifs"] = row.pop("tranche")
            row["date_creation"] = row["date_creation"] or None
            row["commune_id"] = None
            rows.append(row)
        if len(rows) >= BULK_CREATE_ROWS:
            break
    return rows


def child_bulk_create(stock: Path) -> dict[str, Any]:
    """Django bulk_create of the rows' objects, on a sample of the stock: the organisation
    of each distinct SIREN, then the establishments pointing to them (what a first
    import writes; objects built beforehand, untimed). Then, for information, the
    establishments alone under one organisation (the baseline of earlier sessions: half
    the import's writes)."""
    from ptce.actors.models import Establishment, Organisation

    rows = _sample_rows(stock)
    organisations: dict[str, Organisation] = {}
    establishments = []
    for row in rows:
        siren = row.pop("siren")
        owner = organisations.get(siren)
        if owner is None:
            owner = organisations[siren] = Organisation(
                name=row["name"] or siren, siren=siren, source="sirene"
            )
        establishments.append(Establishment(organisation=owner, source="sirene", **row))
    started = time.perf_counter()
    Organisation.objects.bulk_create(list(organisations.values()), batch_size=2000)
    Establishment.objects.bulk_create(establishments, batch_size=2000)
    seconds = time.perf_counter() - started

    from django.db import connection

    with connection.cursor() as cursor:  # no signals for 100,000 rows
        cursor.execute(f"DELETE FROM {Establishment._meta.db_table}")
    single = Organisation.objects.create(name="Bench", siren="000000018")
    alone = []
    for row in _sample_rows(stock):
        row.pop("siren")
        alone.append(Establishment(organisation=single, source="sirene", **row))
    started = time.perf_counter()
    Establishment.objects.bulk_create(alone, batch_size=2000)
    return {
        "seconds": seconds,
        "rows": len(rows),
        "organisations": len(organisations),
        "establishments_only_seconds": time.perf_counter() - started,
    }


def child_baselines(stock: Path) -> dict[str, Any]:
    """Both baselines on one fresh database: bulk_create (into the empty, indexed
    establishments table), then the raw path (into its own bare table)."""
    return {"bulk_create": child_bulk_create(stock), "raw": child_raw(stock)}


CHILDREN = {"import": child_import, "baselines": child_baselines}


def child_main(argv: list[str]) -> None:
    kind, database_url, var_dir, stock = argv
    _setup_django(database_url or None, Path(var_dir))
    result = CHILDREN[kind](Path(stock))
    print(json.dumps(result))


# ------------------------------------------------------------------------------ parent


def _postgres_admin_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    url = url if url.startswith(("postgres://", "postgresql://")) else POSTGRES_URL
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url
    except Exception:
        return None


def _recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _child(kind: str, database_url: str, var_dir: Path, stock: Path) -> dict[str, Any]:
    env = dict(os.environ)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.sirene_import", kind, database_url, str(var_dir), str(stock)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench child {kind} failed:\n{completed.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _fresh(kind: str, label: str, admin_url: str | None, work: Path, stock: Path) -> dict[str, Any]:
    """Run a child on a fresh database."""
    var_dir = work / f"var-{label}-{kind}"
    var_dir.mkdir()
    url = _recreate_database(admin_url, BENCH_DB) if admin_url else ""
    try:
        return _child(kind, url, var_dir, stock)
    finally:
        if admin_url:
            _recreate_database(admin_url, BENCH_DB, drop_only=True)


def bench_database(
    report: Report, label: str, admin_url: str | None, work: Path, stock: Path
) -> None:
    imported = _fresh("import", label, admin_url, work, stock)
    baselines = _fresh("baselines", label, admin_url, work, stock)
    raw, bulk = baselines["raw"], baselines["bulk_create"]
    rate = imported["read"] / imported["seconds"]
    raw_path = "COPY" if admin_url else "executemany"
    report(
        name=f"import-sirene {label}, {imported['read']:,} rows (vs raw {raw_path})",
        value=rate,
        unit="rows/s",
        baseline=raw["rows"] / raw["seconds"],
        target_ratio=0.5,
    )
    report(
        name=f"import-sirene {label} (vs bulk_create, {bulk['rows']:,} rows)",
        value=rate,
        unit="rows/s",
        baseline=bulk["rows"] / bulk["seconds"],
        target_ratio=4,
    )
    report(
        name=f"import-sirene {label} (vs bulk_create of the establishments alone)",
        value=rate,
        unit="rows/s",
        baseline=bulk["rows"] / bulk["establishments_only_seconds"],
    )
    print(
        f"  (bulk_create: {bulk['rows']:,} establishments and their {bulk['organisations']:,} "
        f"organisations in {bulk['seconds']:.1f} s; the establishments alone, under one "
        f"organisation, in {bulk['establishments_only_seconds']:.1f} s)",
        flush=True,
    )
    report(
        name=f"import-sirene {label}, reading and converting only (ceiling, vs raw)",
        value=imported["read"] / imported["read_only_seconds"],
        unit="rows/s",
        baseline=raw["rows"] / raw["seconds"],
    )
    report(
        name=f"import-sirene {label}, second run (all unchanged)",
        value=imported["read"] / imported["second_seconds"],
        unit="rows/s",
    )
    report(
        name=f"import-sirene {label}, peak RSS",
        value=imported["peak_mib"],
        unit="MiB",
        higher_is_better=False,
        target=2048,
    )
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in imported["timings"].items())
    print(f"  ({label} import: {phases}; load average {os.getloadavg()[0]:.1f})", flush=True)


def run(report: Report) -> None:
    print(f"  (load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="ptce-bench-sirene-") as tmp:
        work = Path(tmp)
        stock = work / "StockEtablissement_utf8.csv"
        started = time.perf_counter()
        write_stock(stock, ROWS)
        print(
            f"  (synthetic stock: {ROWS:,} rows, {stock.stat().st_size / 1e6:,.0f} MB, "
            f"{time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        wanted = os.environ.get("PTCE_BENCH_SIRENE_DATABASES", "sqlite,postgresql").split(",")
        if "sqlite" in wanted:
            bench_database(report, "SQLite", None, work, stock)
        if "postgresql" not in wanted:
            return
        admin_url = _postgres_admin_url()
        if admin_url is None:
            print("  (PostgreSQL unreachable: skipped)", flush=True)
            return
        bench_database(report, "PostgreSQL", admin_url, work, stock)


if __name__ == "__main__":
    child_main(sys.argv[1:])
