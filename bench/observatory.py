"""The observatory under load (issue 4): p95 latency of the map, the directory, a hub's page
and `/api/v1/poles` under 10 concurrent clients, and their SQL query counts.

"With 300 hubs of 50 members each: p95 of the observatory map, directory, hub page and
/api/v1/poles under 10 concurrent clients; each list's SQL query count does not grow with
the number of rows."

Targets, on this 2-core machine, one threaded Python process serving (the operator guide's
`gunicorn ptce.wsgi` also runs one process by default; several worker processes would use
both cores, which this benchmark does not measure):

* **p95 <= 500 ms** for each of the four requests under 10 concurrent clients;
* the SQL query count of each request is the same with 300 hubs as with 30 (and the hub
  page's with 50 members as with 5): the benchmark fails if one grows.

Requests (anonymous, `Accept-Language: fr`):

* directory: `GET /observatoire/` (the map's page and the first page of 50 hubs);
* map: `GET /observatoire/carte.json?bbox=...&zoom=...`, cycling over four viewports: France
  at zoom 5 (`bbox=-5,41,10,51.5`), Auvergne-Rhône-Alpes at 7, Brittany at 8, Île-de-France
  at 9;
* hub page: `GET /observatoire/poles/<slug>/`, a random public hub each time;
* API: `GET /api/v1/poles` (the first page of 100).

Data, built in the child through the real tables (fixed seed):

* the shipped territory reference (`load_reference`, as `ptce load-territories`: 18 régions,
  101 départements, 1,255 EPCI, ~35,000 communes);
* 300 public hubs, each in a distinct EPCI drawn at random over France (overseas
  included), in its most populous commune, its perimeter that EPCI, created by
  `poles.services.create_pole` and `poles.services.set_perimeter`, with a random
  characterisation (dynamic, impulse, maturity, objectives, sectors, legal form, date);
* 50 current members each (15,000 organisations, one establishment each, 80 % in the
  hub's EPCI, the rest elsewhere in its département): associations, SCOP and SCIC, other
  companies, communes and EPCI, schools, a university, foundations, mutuals, sole traders,
  informal groups; 8 % of the memberships visible to the hub's members only.

  The first hub's 50 members go through the services (`actors.services.create_organisation`,
  `add_establishment`, `poles.services.add_member`, with their audit entries) and that rate
  is reported (on an idle machine about 270 members/s on SQLite, i.e. about a minute for
  15,000, and slower on PostgreSQL: one round trip per statement), so the other hubs'
  organisations, establishments and memberships are written with `bulk_create` by this
  benchmark (a fixture, not application code), classified by `actors.classification` and
  with `search_text` as the services compute them, but without audit entries.

The SQL query counts are measured with Django's test client and
`CaptureQueriesContext` after the first 30 hubs are built (the first hub's page with 5
then 50 members), then again with 300.

Load: the child serves the app with Django's `ThreadedWSGIServer` and `WSGIHandler` on
127.0.0.1 (a free port), DEBUG off; the server closes each request thread's database
connections, as `runserver` does. The clients run in the parent process (so that they do
not share the server's interpreter lock): threads with `http.client` keep-alive
connections on the loopback. For each request, in turn: one client alone
(`SINGLE_REQUESTS` requests, the baseline), then 10 clients together (`PER_CLIENT` each),
each phase stopped after `PHASE_SECONDS`. Every answer must be 200 or the benchmark
fails. Reported: p95 under 10 clients against the single client's p95 (the ratio < 1
shows the degradation), and the throughput with 10 clients against 1 client.

SQLite in a temporary directory, then PostgreSQL when reachable (`DATABASE_URL`, else
postgres://postgres@127.0.0.1:5432/test), in a database `ptce_bench_observatory` created,
migrated and dropped, each in a child process on a fresh database (the pattern and helpers
of `bench.sirene_import`).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from bench import Report, sirene_import
from bench.sirene_import import _postgres_admin_url, _recreate_database, luhn_digit

SEED = 20261204
HUBS = int(os.environ.get("PTCE_BENCH_OBSERVATORY_HUBS", "300"))
FIRST_HUBS = 30  # the query counts are measured with 30 hubs, then with HUBS
MEMBERS = 50
FEW_MEMBERS = 5  # the first hub's page is counted with 5 members, then 50
CLIENTS = 10
PER_CLIENT = int(os.environ.get("PTCE_BENCH_OBSERVATORY_REQUESTS", "30"))
SINGLE_REQUESTS = 30
PHASE_SECONDS = 15.0
TARGET_P95_MS = 500.0
BENCH_DB = "ptce_bench_observatory"
HIDDEN_MEMBER_SHARE = 0.08
MAP_VIEWS = (
    ("-5,41,10,51.5", 5),  # France
    ("2.0,44.0,7.5,46.6", 7),  # Auvergne-Rhône-Alpes
    ("-5.2,47.2,-1.0,48.9", 8),  # Brittany
    ("1.4,48.1,3.6,49.3", 9),  # Île-de-France
)
ENDPOINTS = ("directory", "map", "hub page", "API")

# ------------------------------------------------------------------------ members

SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Nguyen", "N'Diaye",
)  # fmt: skip
FIRST_NAMES = (
    "Jean", "Marie", "Nathalie", "Isabelle", "François", "Céline", "Hélène", "Jérôme",
    "Aurélie", "Zoé", "Léa", "Raphaël", "Gaëlle", "Loïc", "Anne-Sophie", "Camille", "Inès",
)  # fmt: skip
ASSOCIATIONS = (
    ("Les Jardins", "88.99B"), ("Centre social", "88.99B"), ("Ressourcerie", "38.32Z"),
    ("Chantier d'insertion", "88.99B"), ("Aide à domicile", "88.10A"),
    ("Épicerie solidaire", "88.99B"), ("Compagnie théâtrale", "90.01Z"),
    ("Tiers-lieu", "94.99Z"), ("Café associatif", "56.30Z"), ("Régie de quartier", "81.29B"),
    ("Amap", "94.99Z"), ("Mission locale", "88.99B"), ("Repair café", "95.29Z"),
    ("Recyclerie", "38.32Z"), ("Maison de l'emploi", "78.10Z"), ("Vélo-école", "85.51Z"),
)  # fmt: skip
TRADES = (
    ("Boulangerie", "10.71C"), ("Menuiserie", "43.32A"), ("Électricité", "43.21A"),
    ("Transports", "49.41A"), ("Conseil", "70.22Z"), ("Informatique", "62.01Z"),
    ("Imprimerie", "18.12Z"), ("Brasserie", "11.05Z"), ("Nettoyage", "81.21Z"),
    ("Paysages", "81.30Z"), ("Maçonnerie", "43.99C"), ("Communication", "73.11Z"),
    ("Traiteur", "56.21Z"), ("Recyclage", "38.32Z"), ("Énergies", "35.11Z"),
)  # fmt: skip
BRANDS = ("Alterna", "Kalisia", "Coopaname", "Solira", "Ecodair", "Enercoop", "Terra", "Lieu-dit")
# kind -> (weight, catégorie juridique, ESS flag)
KINDS = {
    "association": (40, "9220", True),
    "scop": (6, "5458", True),
    "scic": (4, "5560", True),
    "ess_company": (3, "5710", True),
    "company": (14, "5710", False),
    "sarl": (7, "5499", False),
    "sole_trader": (3, "1000", False),
    "commune": (8, "7210", False),
    "epci": (3, "7346", False),
    "school": (3, "7331", False),
    "university": (1, "7383", False),
    "foundation": (2, "9300", True),
    "mutual": (2, "8210", True),
    "informal": (4, "", None),
}
TRANCHES = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31")
TRANCHE_WEIGHTS = (20, 20, 15, 12, 10, 9, 6, 4, 3, 1)


@dataclass
class Member:
    name: str
    siren: str | None
    categorie_juridique: str
    ess: bool | None
    naf: str
    tranche: str
    commune: str
    departement: str
    code_postal: str
    address: str
    lat: float
    lon: float
    active: bool
    role: str
    joined_on: dt.date
    visibility: str


@dataclass
class HubPlan:
    name: str
    commune: str
    epci: str
    values: dict[str, Any]
    members: list[Member] = field(default_factory=list)


@dataclass
class Territory:
    """The communes of the loaded reference, grouped for drawing places."""

    rows: dict[str, tuple[str, str, str, int, float, float, str]]  # code -> nom, dep, epci, ...
    by_epci: dict[str, list[str]]
    by_departement: dict[str, list[str]]
    epci_names: dict[str, str]


def _territory() -> Territory:
    from ptce.territories.models import Commune, Epci

    rows = {
        code: (nom, dep, epci or "", pop, lat, lon, postal.split()[0] if postal else "")
        for code, nom, dep, epci, pop, lat, lon, postal in Commune.objects.filter(
            type=Commune.Type.COMMUNE
        )
        .order_by("code_insee")
        .values_list(
            "code_insee",
            "nom",
            "departement_id",
            "epci_id",
            "population",
            "lat",
            "lon",
            "codes_postaux",
        )
    }
    by_epci: dict[str, list[str]] = {}
    by_departement: dict[str, list[str]] = {}
    for code, row in rows.items():
        if row[2]:
            by_epci.setdefault(row[2], []).append(code)
        by_departement.setdefault(row[1], []).append(code)
    return Territory(rows, by_epci, by_departement, dict(Epci.objects.values_list("code", "nom")))


def _weighted(rnd: random.Random, territory: Territory, codes: list[str]) -> str:
    weights = [territory.rows[c][3] + 50 for c in codes]
    return rnd.choices(codes, weights=weights)[0]


def _member_name(rnd: random.Random, kind: str, town: str) -> tuple[str, str]:
    de = f"d'{town}" if town[0] in "AEIOUYÉÈÂÎH" else f"de {town}"
    if kind == "association":
        label, naf_code = rnd.choice(ASSOCIATIONS)
        return f"{label} {de}", naf_code
    if kind in {"scop", "scic", "ess_company"}:
        prefix = {"scop": "Scop", "scic": "SCIC", "ess_company": "SAS"}[kind]
        label, naf_code = rnd.choice(TRADES)
        return f"{prefix} {rnd.choice(BRANDS)} {label}", naf_code
    if kind in {"company", "sarl"}:
        label, naf_code = rnd.choice(TRADES)
        return f"{label.upper()} {rnd.choice(SURNAMES).upper()}", naf_code
    if kind == "sole_trader":
        return f"{rnd.choice(SURNAMES).upper()} {rnd.choice(FIRST_NAMES)}", rnd.choice(TRADES)[1]
    if kind == "commune":
        return f"Commune {de}", "84.11Z"
    if kind == "epci":
        return f"Communauté de communes {de}", "84.11Z"
    if kind == "school":
        return f"Lycée professionnel {rnd.choice(SURNAMES)} {de}", "85.32Z"
    if kind == "university":
        return f"Université {de}", "85.42Z"
    if kind == "foundation":
        return f"Fondation {rnd.choice(SURNAMES)}", "88.99B"
    if kind == "mutual":
        return f"Mutuelle {de}", "65.12Z"
    return f"Collectif citoyen {de}", ""


def plan_hubs(territory: Territory, count: int, seed: int = SEED) -> list[HubPlan]:
    """`count` hubs in distinct EPCI (random, over France), 50 members each."""
    from ptce.poles.models import Dynamic, Impulse, LegalForm, Objective, Specificity

    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    epcis = sorted(territory.by_epci)
    chosen = rnd.sample(epcis, count)
    total = count * MEMBERS
    prefixes = np.unique(rng.integers(10_000_000, 99_999_999, int(total * 1.05) + 10))[:total]
    rng.shuffle(prefixes)
    sirens = prefixes * 10 + luhn_digit(prefixes, 8)
    kinds = list(KINDS)
    kind_weights = [KINDS[k][0] for k in kinds]
    today = dt.date.today()
    plans = []
    for h, epci in enumerate(chosen):
        communes = territory.by_epci[epci]
        seat = max(communes, key=lambda c: (territory.rows[c][3], c))
        created = dt.date(2008, 1, 1) + dt.timedelta(days=rnd.randrange(6000))
        values = {
            "commune": seat,
            "description": (
                f"Pôle territorial de coopération économique du territoire "
                f"{territory.epci_names[epci]} : " + "coopération, mutualisation, emploi. " * 6
            ),
            "legal_form": rnd.choice(LegalForm.values),
            "created_on": created,
            "impulse": rnd.choice(Impulse.values),
            "dynamic": rnd.choice(Dynamic.values),
            "maturity": rnd.choice(["emerging", "consolidating", "mature"]),
            "objectives": rnd.sample(Objective.values, rnd.randint(1, 3)),
            "specificities": rnd.sample(Specificity.values, rnd.randint(0, 3)),
            "naf_sections": rnd.sample(list("ACEFGHIJMNPQRS"), rnd.randint(1, 3)),
            "website": f"https://pole-{h}.example.org",
            "contact_email": f"contact@pole-{h}.example.org",
            "common_strategy_formalised": rnd.random() < 0.6,
            "long_term_commitment": rnd.random() < 0.7,
            "pooled_resources": rnd.random() < 0.6,
        }
        name = f"PTCE {territory.epci_names[epci]}"
        plan = HubPlan(name=name, commune=seat, epci=epci, values=values)
        departement = territory.rows[seat][1]
        for m in range(MEMBERS):
            kind = rnd.choices(kinds, weights=kind_weights)[0]
            _, category, ess = KINDS[kind]
            inside = rnd.random() < 0.8
            pool = communes if inside else territory.by_departement[departement]
            code = _weighted(rnd, territory, pool)
            town, dep, _, _, lat, lon, postal = territory.rows[code]
            name_m, naf_code = _member_name(rnd, kind, town)
            siren = None if kind == "informal" else f"{sirens[h * MEMBERS + m]:09d}"
            joined = created + dt.timedelta(days=rnd.randrange(max(1, (today - created).days)))
            plan.members.append(
                Member(
                    name=name_m,
                    siren=siren,
                    categorie_juridique=category,
                    ess=ess,
                    naf=naf_code,
                    tranche=rnd.choices(TRANCHES, weights=TRANCHE_WEIGHTS)[0] if siren else "",
                    commune=code,
                    departement=dep,
                    code_postal=postal,
                    address=f"{rnd.randint(1, 120)} rue {rnd.choice(SURNAMES)}",
                    lat=round(lat + rnd.gauss(0, 0.01), 6),
                    lon=round(lon + rnd.gauss(0, 0.01), 6),
                    active=rnd.random() < 0.95,
                    role="founder" if m < 3 else "partner" if rnd.random() < 0.08 else "member",
                    joined_on=created if m < 3 else joined,
                    visibility="members" if rnd.random() < HIDDEN_MEMBER_SHARE else "public",
                )
            )
        plans.append(plan)
    return plans


def _siret(siren: str) -> str:
    siret13 = np.array([int(siren) * 10_000 + 1], dtype=np.int64)
    return f"{int(siret13[0] * 10 + luhn_digit(siret13, 13)[0]):014d}"


# ---------------------------------------------------------------------- child: build


def _progress(text: str) -> None:
    print(f"  ({text})", file=sys.stderr, flush=True)


def _create_hub(plan: HubPlan, carrier_id: int | None) -> Any:
    from ptce.poles import services as pole_services

    values = dict(plan.values)
    if carrier_id is not None:
        values["carrier"] = carrier_id
    hub = pole_services.create_pole(None, name=plan.name, **values)
    pole_services.set_perimeter(None, pole=hub, definition={"epci": [plan.epci]})
    return hub


def add_members_by_services(hub: Any, members: list[Member]) -> None:
    """Each member through the services, as a coordinator would (with audit entries)."""
    from ptce.actors import services as actor_services
    from ptce.poles import services as pole_services

    for m in members:
        organisation = actor_services.create_organisation(
            None,
            name=m.name,
            siren=m.siren or "",
            categorie_juridique=m.categorie_juridique,
            ess=m.ess,
            naf=m.naf,
            tranche_effectifs=m.tranche,
        )
        actor_services.add_establishment(
            None,
            organisation=organisation,
            siret=_siret(m.siren) if m.siren else "",
            address=m.address,
            code_postal=m.code_postal,
            code_commune=m.commune,
            lat=m.lat,
            lon=m.lon,
            siege=True,
            naf=m.naf,
            tranche_effectifs=m.tranche,
        )
        pole_services.add_member(
            None,
            pole=hub,
            organisation=organisation,
            role=m.role,
            joined_on=m.joined_on,
            visibility=m.visibility,
        )


def build_hubs_in_bulk(plans: list[HubPlan]) -> None:
    """The hubs through `create_pole` and `set_perimeter`; their members' organisations,
    establishments and memberships with `bulk_create` (no audit entries)."""
    from django.db import transaction

    from ptce.actors.classification import classify_many
    from ptce.actors.models import Establishment, Organisation
    from ptce.poles.models import Membership
    from ptce.territories.names import normalize

    members = [m for plan in plans for m in plan.members]
    classes = classify_many(
        [m.categorie_juridique for m in members],
        [m.ess for m in members],
        [m.naf for m in members],
        [m.tranche for m in members],
    )
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=m.name,
                    siren=m.siren,
                    categorie_juridique=m.categorie_juridique,
                    ess=m.ess,
                    naf=m.naf,
                    tranche_effectifs=m.tranche,
                    actor_type=c.actor_type,
                    ess_family=c.ess_family,
                    size_class=c.size_class,
                    classification_reason=c.reason,
                    source="sirene" if m.siren else "manual",
                    search_text=normalize(m.name),
                )
                for m, c in zip(members, classes, strict=True)
            ],
            batch_size=1000,
        )
        Establishment.objects.bulk_create(
            [
                Establishment(
                    organisation=o,
                    siret=_siret(m.siren) if m.siren else None,
                    address=m.address,
                    code_postal=m.code_postal,
                    code_commune=m.commune,
                    commune_id=m.commune,
                    departement=m.departement,
                    lat=m.lat,
                    lon=m.lon,
                    precision=Establishment.Precision.ADDRESS,
                    naf=m.naf,
                    tranche_effectifs=m.tranche,
                    siege=True,
                    active=m.active,
                    source="sirene" if m.siren else "manual",
                )
                for m, o in zip(members, organisations, strict=True)
            ],
            batch_size=1000,
        )
        memberships = []
        for h, plan in enumerate(plans):
            own = organisations[h * MEMBERS : (h + 1) * MEMBERS]
            hub = _create_hub(plan, own[0].pk)
            memberships += [
                Membership(
                    pole=hub,
                    organisation=o,
                    role=m.role,
                    joined_on=m.joined_on,
                    visibility=m.visibility,
                )
                for m, o in zip(plan.members, own, strict=True)
            ]
        Membership.objects.bulk_create(memberships, batch_size=1000)


def _paths(slug: str) -> dict[str, str]:
    bbox, zoom = MAP_VIEWS[0]
    return {
        "directory": "/observatoire/",
        "map": f"/observatoire/carte.json?bbox={bbox}&zoom={zoom}",
        "hub page": f"/observatoire/poles/{slug}/",
        "API": "/api/v1/poles",
        "statistics": "/observatoire/statistiques/",
    }


def count_queries(paths: dict[str, str]) -> dict[str, int]:
    """SQL statements per request (test client, anonymous), after one warm-up request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    counts = {}
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise AssertionError(f"{path}: status {response.status_code}")
        counts[name] = len(captured.captured_queries)
    return counts


def build(result: dict[str, Any]) -> list[str]:
    """Reference, 30 hubs (query counts), then 300 hubs (query counts); the hubs' slugs."""
    from django.conf import settings

    from ptce.poles.models import Pole
    from ptce.territories.importers.reference import load_reference

    started = time.perf_counter()
    load_reference(Path(settings.TERRITORIES_DATA_DIR))
    result["reference_s"] = time.perf_counter() - started
    territory = _territory()
    plans = plan_hubs(territory, HUBS)

    started = time.perf_counter()
    first = _create_hub(plans[0], None)  # the territory indexes are built here
    result["first_hub_s"] = time.perf_counter() - started
    started = time.perf_counter()
    add_members_by_services(first, plans[0].members[:FEW_MEMBERS])
    services_s = time.perf_counter() - started
    few = count_queries({"hub page": _paths(first.slug)["hub page"]})["hub page"]
    started = time.perf_counter()
    add_members_by_services(first, plans[0].members[FEW_MEMBERS:])
    result["services_s"] = services_s + time.perf_counter() - started
    result["services_members"] = MEMBERS

    started = time.perf_counter()
    build_hubs_in_bulk(plans[1:FIRST_HUBS])
    bulk_s = time.perf_counter() - started
    result["counts_30"] = count_queries(_paths(first.slug))
    result["counts_few_members"] = few
    started = time.perf_counter()
    build_hubs_in_bulk(plans[FIRST_HUBS:])
    result["bulk_s"] = bulk_s + time.perf_counter() - started
    result["bulk_members"] = (HUBS - 1) * MEMBERS
    result["counts_300"] = count_queries(_paths(first.slug))
    result["hubs"] = Pole.objects.public().count()
    return list(Pole.objects.public().order_by("pk").values_list("slug", flat=True))


# ---------------------------------------------------------------------- child: serve


def serve() -> tuple[Any, int]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Server(ThreadedWSGIServer):  # type: ignore[misc]
        request_queue_size = 64  # 10 clients connecting at once

    class Handler(WSGIRequestHandler):  # type: ignore[misc]
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def child_main(argv: list[str]) -> None:
    """Build, count, serve until the parent closes stdin; JSON lines on stdout."""
    database_url, var_dir = argv
    os.environ["PTCE_DEBUG"] = "0"
    os.environ["PTCE_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    started = time.perf_counter()
    # `bench.sirene_import._setup_django` migrates and loads its synthetic reference (points
    # without outlines, no EPCI): this benchmark loads the shipped reference instead.
    with mock.patch.object(sirene_import, "_load_reference", lambda: None):
        sirene_import._setup_django(database_url or None, Path(var_dir))
    from django.db import connections

    result: dict[str, Any] = {"migrate_s": time.perf_counter() - started}
    result["slugs"] = build(result)
    _progress(
        f"built: reference {result['reference_s']:.1f} s, services "
        f"{result['services_s']:.1f} s, bulk {result['bulk_s']:.1f} s"
    )
    connections.close_all()
    server, port = serve()
    result["port"] = port
    print(json.dumps(result), flush=True)
    sys.stdin.readline()
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------ parent


@dataclass
class Phase:
    latencies: list[float]  # ms
    statuses: Counter[int]
    seconds: float
    server_cpu: float | None = None  # seconds of CPU used by the serving process

    @property
    def cpu_per_request(self) -> float | None:
        return None if self.server_cpu is None else 1000 * self.server_cpu / len(self.latencies)

    @property
    def p95(self) -> float:
        return float(np.percentile(self.latencies, 95))

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds


def _request_path(endpoint: str, slugs: list[str], rnd: random.Random, i: int) -> str:
    if endpoint == "directory":
        return "/observatoire/"
    if endpoint == "map":
        bbox, zoom = MAP_VIEWS[i % len(MAP_VIEWS)]
        return f"/observatoire/carte.json?bbox={bbox}&zoom={zoom}"
    if endpoint == "hub page":
        return f"/observatoire/poles/{rnd.choice(slugs)}/"
    return "/api/v1/poles"


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), to tell CPU cost from waiting."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    port: int, endpoint: str, slugs: list[str], clients: int, requests: int, pid: int = 0
) -> Phase:
    """`clients` threads, `requests` each (or until PHASE_SECONDS), keep-alive."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def client(number: int) -> None:
        rnd = random.Random(SEED + number)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        mine: list[tuple[float, int]] = []
        barrier.wait()
        for i in range(requests):
            if time.perf_counter() > deadline[0]:
                break
            path = _request_path(endpoint, slugs, rnd, number + i)
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "fr"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(((time.perf_counter() - start) * 1000, status))
        conn.close()
        with lock:
            latencies.extend(ms for ms, _ in mine)
            statuses.update(s for _, s in mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    deadline.append(time.perf_counter() + PHASE_SECONDS)
    cpu_before = _cpu_seconds(pid) if pid else None
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu_after = _cpu_seconds(pid) if pid else None
    if set(statuses) != {200}:
        raise AssertionError(f"{endpoint}: answers other than 200: {dict(statuses)}")
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Phase(latencies, statuses, seconds, cpu)


def run_database(report: Report, label: str, database_url: str, var_dir: Path) -> dict[str, Any]:
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.observatory", database_url, str(var_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        line = child.stdout.readline()
        while line and not line.startswith("{"):  # anything else the child printed
            print(line, end="", file=sys.stderr)
            line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"bench child failed (exit {child.wait()}), see above")
        built: dict[str, Any] = json.loads(line)
        port, slugs = built["port"], built["slugs"]
        for endpoint in ENDPOINTS:  # warm-up: templates, URL resolvers, territory indexes
            load(port, endpoint, slugs, 1, 4)
        load_before = os.getloadavg()
        phases = {}
        for endpoint in ENDPOINTS:
            single = load(port, endpoint, slugs, 1, SINGLE_REQUESTS, child.pid)
            many = load(port, endpoint, slugs, CLIENTS, PER_CLIENT, child.pid)
            phases[endpoint] = (single, many)
            _print_phases(label, endpoint, single, many)
        print(
            f"  ({label}: machine load average {load_before[0]:.1f} before the clients, "
            f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs)",
            flush=True,
        )
        child.stdin.write("stop\n")
        child.stdin.flush()
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if child.returncode != 0:
        raise RuntimeError(f"bench child failed (exit {child.returncode}), see above")
    report_database(report, label, built, phases)
    return built


def _print_phases(label: str, endpoint: str, single: Phase, many: Phase) -> None:
    def cpu(phase: Phase) -> str:
        ms = phase.cpu_per_request
        return "" if ms is None else f", server CPU {ms:.0f} ms/request"

    print(
        f"  ({label} {endpoint}: 1 client {len(single.latencies)} requests, median "
        f"{np.median(single.latencies):.0f} ms{cpu(single)}; {CLIENTS} clients "
        f"{len(many.latencies)} requests in {many.seconds:.1f} s, median "
        f"{np.median(many.latencies):.0f} ms, max {max(many.latencies):,.0f} ms{cpu(many)})",
        flush=True,
    )


def report_database(
    report: Report, label: str, built: dict[str, Any], phases: dict[str, tuple[Phase, Phase]]
) -> None:
    services_rate = built["services_members"] / built["services_s"]
    print(
        f"  ({label}: {built['hubs']} public hubs x {MEMBERS} members; reference "
        f"{built['reference_s']:.1f} s; first hub + perimeter {built['first_hub_s']:.1f} s "
        f"(territory indexes built); {built['services_members']} members through the services "
        f"{built['services_s']:.1f} s, i.e. {services_rate:.0f} members/s, "
        f"{HUBS * MEMBERS / services_rate:.0f} s for {HUBS * MEMBERS:,}; the other "
        f"{built['bulk_members']:,} members by bulk_create with {HUBS - 1} hubs through "
        f"create_pole + set_perimeter {built['bulk_s']:.1f} s)",
        flush=True,
    )
    for endpoint in ENDPOINTS:
        single, many = phases[endpoint]
        report(
            name=f"{endpoint} p95, {CLIENTS} clients {label} (vs 1 client)",
            value=many.p95,
            unit="ms",
            baseline=single.p95,
            higher_is_better=False,
            target=TARGET_P95_MS,
        )
    for endpoint in ENDPOINTS:
        single, many = phases[endpoint]
        report(
            name=f"{endpoint} throughput, {CLIENTS} clients {label} (vs 1)",
            value=many.throughput,
            unit="req/s",
            baseline=single.throughput,
        )
    counts_30, counts_300 = built["counts_30"], built["counts_300"]
    for name in counts_300:
        report(
            name=f"{name} SQL queries, {HUBS} hubs {label} (vs {FIRST_HUBS})",
            value=counts_300[name],
            unit="queries",
            baseline=counts_30[name],
            higher_is_better=False,
            target_ratio=1,
        )
    report(
        name=f"hub page SQL queries, {MEMBERS} members {label} (vs {FEW_MEMBERS})",
        value=counts_30["hub page"],
        unit="queries",
        baseline=built["counts_few_members"],
        higher_is_better=False,
        target_ratio=1,
    )
    grown = {
        name: (counts_30[name], counts_300[name])
        for name in counts_300
        if counts_300[name] > counts_30[name]
    }
    if counts_30["hub page"] > built["counts_few_members"]:
        grown["hub page (members)"] = (built["counts_few_members"], counts_30["hub page"])
    if grown:
        raise AssertionError(f"{label}: SQL query counts grow with the rows: {grown}")


def run(report: Report) -> None:
    with tempfile.TemporaryDirectory(prefix="ptce-bench-observatory-") as tmp:
        work = Path(tmp)
        var_dir = work / "var-SQLite"
        var_dir.mkdir()
        run_database(report, "SQLite", "", var_dir)
        admin_url = _postgres_admin_url()
        if admin_url is None:
            print("  (PostgreSQL unreachable: skipped)", flush=True)
            return
        var_dir = work / "var-PostgreSQL"
        var_dir.mkdir()
        url = _recreate_database(admin_url, BENCH_DB)
        try:
            run_database(report, "PostgreSQL", url, var_dir)
        finally:
            _recreate_database(admin_url, BENCH_DB, drop_only=True)


if __name__ == "__main__":
    child_main(sys.argv[1:])
