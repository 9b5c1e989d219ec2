"""Directory search over 1 M organisations (`actors.directory`): p95 latency of selective
name searches and of faceted counts, on SQLite (FTS5) and PostgreSQL (GIN).

The project's targets (issue "Search over 1 M organisations"):

* selective name search: `directory.Results(DirectoryFilters(q=...), reader)` as the pages
  and the API use it, the first page of 50 in (name, id) order and the count:
  **p95 <= 100 ms**. The in-memory `facet_index` answers (its posting lists of name words
  and name ranks); the SQL path it replaced (`directory.search`, `order_by("name", "id")[:50]`
  and `count()`: full-text index, then the rows), which still serves a name with a NAF code
  prefix or a perimeter, is timed too, for information;
* faceted counts: `directory.facets(filters, reader)` (the in-memory `facet_index` for
  filters without a name, SQL's GROUP BY otherwise): **p95 <= 500 ms**. The index is built
  before the series; its build time is printed.

The API end to end (`GET /api/v1/organisations?q=...&departement=...` through Django's test
client: search, count, page, facets) is reported for information, without a target.

Data (fixed seed, `PTCE_BENCH_ORGANISATIONS` organisations, default 1,000,000), built once
in the parent process:

* legal categories drawn with SIRENE-like frequencies (45 % sole traders, SAS, SARL, SCI,
  13 % associations, a few cooperatives, SCOP, mutuals, foundations, communes, public
  bodies, 0.3 % without SIREN), the ESS flag, NAF codes over the sections (by trade),
  headcount bands; `actor_type`, `ess_family`, `size_class` from
  `classification.classify_many`, so about 15 % ESS, most of them associations;
* French-like names by category: "Association sportive de Beaumont-sur-Loire", "Les Amis
  d'Écully", "BOULANGERIE MARTIN", "Scop Kalisia", "Commune de Saint-Étienne-du-Vercors",
  "DUBOIS Jean-Pierre"; 6,000 town names (Zipf), 150 common surnames and 20,000 rare ones,
  30,000 brand names; 40 % of names upper case, half of those without accents (as SIRENE
  writes them); acronyms for a quarter of associations; `search_text =
  names.normalize(name + " " + acronym)` as `actors.services` computes it;
* 90 % active; 1 + Poisson(0.2) establishments each (about 1.2), the head office first,
  over the 96 metropolitan départements (weighted), commune codes, positions around each
  département's centre.

Load, in the child (timed and reported for information): the secondary indexes of both
tables and their foreign key are dropped, rows go in with raw SQL (SQLite `executemany` in
one transaction, PostgreSQL `COPY`), then the indexes are rebuilt; the full-text index is
dropped and rebuilt **by the statements of the migration `actors/0002_full_text_search`
itself** (SQLite: FTS5 table and triggers dropped, then recreated and filled once by its
`'rebuild'` command; PostgreSQL: the GIN index built once). Then `ANALYZE` (PostgreSQL:
`VACUUM ANALYZE`, so that autovacuum does not wake up during the measurements).

Queries (fixed seed): 300 name searches of 1 or 2 word prefixes drawn from the generated
vocabulary (40 % a word of a random organisation's name, i.e. common words; 30 % a word
drawn uniformly from the distinct words, i.e. mostly rare ones; 30 % two words of one
name), as typed (half of them lower case, the others with their case and accents; the
last word often cut short); 300 faceted counts, cycling over one département, one actor
type, ESS only, one NAF section, every other one with a name word too; 100 API calls with
a name query and a département.

Baselines, measured in the same run on the same database, on the first 30 cases of each
list: for the name search, the naive path `Organisation.objects.filter(name__icontains=w)`
for each word (a full scan with LIKE '%w%', accent-sensitive), same page and count; for
the faceted counts, the same matching rows fetched (`values_list` of the four columns) and
counted in Python with `collections.Counter` — its answer must equal `facets`' or
the benchmark fails.

Each database runs in a child process on a fresh database (the pattern of
`bench.sirene_import`): SQLite in a temporary directory; PostgreSQL, when reachable, in a
database `ptce_bench_directory` created, migrated and dropped. Every series stops early
when it exceeds its time budget (the row then says how many queries were measured), to
keep the module within about 6 minutes. After each series the slowest case is run again
and its slowest SQL statement explained (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN
ANALYZE).
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import Report
from bench.sirene_import import _postgres_admin_url, _recreate_database, luhn_digit

SEED = 20261128
ORGANISATIONS = int(os.environ.get("PTCE_BENCH_ORGANISATIONS", "1000000"))
SEARCH_QUERIES = 300
FACET_QUERIES = 300
API_QUERIES = 100
NAIVE_QUERIES = 30
PAGE_SIZE = 50
TARGET_SEARCH_MS = 100.0
TARGET_FACETS_MS = 500.0
BENCH_DB = "ptce_bench_directory"
# Seconds a series may take before it stops (the figures then cover the queries measured).
BUDGETS = {
    "search": 15.0,
    "search_sql": 15.0,
    "naive_search": 12.0,
    "facets": 25.0,
    "naive_facets": 12.0,
    "api": 12.0,
}
NOW = "2026-11-28 00:00:00"

ORG_COLUMNS = (
    "id",
    "name",
    "siren",
    "acronym",
    "categorie_juridique",
    "ess",
    "societe_mission",
    "date_creation",
    "active",
    "tranche_effectifs",
    "naf",
    "rna",
    "website",
    "partially_diffusible",
    "actor_type",
    "actor_type_override",
    "ess_family",
    "size_class",
    "classification_reason",
    "source",
    "visibility",
    "search_text",
    "created_at",
    "updated_at",
)
EST_COLUMNS = (
    "id",
    "siret",
    "organisation_id",
    "name",
    "address",
    "code_postal",
    "code_commune",
    "commune_id",
    "departement",
    "lat",
    "lon",
    "precision",
    "naf",
    "tranche_effectifs",
    "siege",
    "active",
    "date_creation",
    "source",
    "updated_at",
)

# ------------------------------------------------------------------------ vocabulary

DEPARTEMENTS = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]
BIG_DEPARTEMENTS = {"75", "13", "69", "59", "92", "93", "94", "33", "31", "44", "06", "67"}

TOWN_ROOTS = (
    "Beau", "Mont", "Val", "Roche", "Fontaine", "Bourg", "Champ", "Pré", "Moulin", "Bois",
    "Croix", "Pont", "Chêne", "Mesnil", "Plessis", "Neuf", "Clair", "Ker", "Plou", "Lan",
    "Tré", "Châtel", "Aubi", "Bel", "Ronce", "Vaux", "Cour", "Haute", "Mar", "Vill", "Sau",
    "Fleur", "Gré", "Vern", "Épi", "Esc", "Orm", "Ambé", "Is", "Ay", "Oy", "Cler", "Dom",
    "Long", "Bon", "Roque", "Cas", "Sal", "Belle", "Font",
)  # fmt: skip
TOWN_ENDINGS = (
    "ville", "court", "mont", "ac", "ay", "ières", "eux", "y", "at", "ois", "champ", "bourg",
    "villiers", "fort", "lieu", "nay", "gny", "heim", "ec", "an", "argues", "ens", "ille",
    "ouse", "aix", "brune", "fontaine", "val", "roux", "pierre",
)  # fmt: skip
SAINTS = (
    "Étienne", "Jean", "Pierre", "Martin", "Germain", "Denis", "Hilaire", "Julien", "André",
    "Laurent", "Genis", "Priest", "Cyr", "Loup", "Médard", "Aignan", "Éloi", "Benoît",
)  # fmt: skip
SAINTES = ("Marie", "Foy", "Anne", "Geneviève", "Hélène", "Luce", "Colombe", "Cécile")
RIVERS = (
    "Loire", "Seine", "Marne", "Saône", "Rhône", "Isère", "Drôme", "Garonne", "Dordogne",
    "Lot", "Yonne", "Oise", "Aisne", "Meuse", "Moselle", "Vienne", "Cher", "Indre", "Allier",
    "Ardèche", "Aude", "Orne", "Sarthe", "Vilaine", "Charente", "Durance",
)  # fmt: skip
PAYS = (
    "Vercors", "Forez", "Velay", "Bresse", "Beauce", "Brie", "Auge", "Caux", "Médoc",
    "Quercy", "Périgord", "Morvan", "Queyras", "Royans", "Trièves", "Diois", "Gâtinais",
    "Vexin", "Argonne", "Bugey",
)  # fmt: skip
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand",
    "Dufour", "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux",
    "Colin", "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert",
    "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard",
    "Philippe", "Leclercq", "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva",
    "Hubert", "Louis", "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey",
    "Moulin", "Gonzalez", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier",
    "Julien", "Benoît", "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux",
    "Renault", "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet",
    "Baron", "Dupuy", "Pons", "Paul", "Lainé", "Carré", "Breton", "Rémy", "Schneider",
    "Perrot", "Guyot", "Barré", "Marty", "Cousin", "N'Diaye", "L'Hermitte",
)  # fmt: skip
SURNAME_SYLLABLES = (
    "ber", "car", "dal", "fer", "gal", "jou", "lan", "mar", "nol", "pel", "quin", "ros",
    "sau", "tel", "vig", "bou", "cha", "dou", "gra", "lou", "mou", "pou", "tho", "vau", "bri",
    "cro", "fla", "gro", "pla", "tre", "ké", "lé", "mé", "ré", "gué",
)  # fmt: skip
SURNAME_ENDINGS = ("ard", "et", "ot", "on", "in", "eau", "ier", "and", "ault", "az", "oz", "ec")
FIRST_NAMES = (
    "Jean", "Marie", "Pierre", "Michel", "Philippe", "Nathalie", "Isabelle", "Sylvie",
    "Catherine", "François", "Frédéric", "Stéphane", "Céline", "Hélène", "Jérôme",
    "Sébastien", "Aurélie", "Élodie", "Mélanie", "Zoé", "Chloé", "Léa", "Noémie", "Raphaël",
    "Gaëlle", "Joël", "Anaïs", "Loïc", "Maëlle", "Jean-Pierre", "Marie-Claire", "Anne-Sophie",
    "Thomas", "Nicolas", "Julien", "Camille", "Manon", "Inès", "Théo", "Hugo", "Lucas",
    "Emma", "Louise", "Noël",
)  # fmt: skip
BRAND_SYLLABLES = (
    "al", "bi", "co", "da", "ex", "fi", "ga", "hy", "io", "ka", "li", "mo", "na", "ne", "ol",
    "pa", "qua", "ri", "so", "ta", "ur", "va", "vi", "xo", "ze", "lu", "té", "ké", "zé",
)  # fmt: skip
BRAND_ENDINGS = ("", "", "is", "ia", "ium", "eo", "ys", "ix", "up", "ea", "on", "ance")
BUSINESS_SUFFIXES = (
    "Conseil", "Services", "Groupe", "France", "Solutions", "Invest", "Développement",
    "Immobilier", "Distribution", "Ingénierie", "Patrimoine", "Holding", "Technologies",
    "Environnement", "Énergie", "Industrie", "Logistique", "Bâtiment", "Rénovation", "Design",
    "Studio", "Consulting", "Digital", "Santé", "Finance", "Participations", "Gestion",
    "Partners", "Transactions", "Habitat",
)  # fmt: skip
TRADES = (
    ("Boulangerie", "10.71C"), ("Pâtisserie", "10.71D"), ("Boucherie", "47.22Z"),
    ("Garage", "45.20A"), ("Restaurant", "56.10A"), ("Café", "56.30Z"),
    ("Plomberie", "43.22A"), ("Menuiserie", "43.32A"), ("Électricité", "43.21A"),
    ("Transports", "49.41A"), ("Taxi", "49.32Z"), ("Coiffure", "96.02A"),
    ("Pharmacie", "47.73Z"), ("Cabinet infirmier", "86.90D"), ("Cabinet médical", "86.21Z"),
    ("Conseil", "70.22Z"), ("Informatique", "62.01Z"), ("Agence immobilière", "68.31Z"),
    ("Ferme", "01.50Z"), ("EARL", "01.11Z"), ("GAEC", "01.41Z"), ("Épicerie", "47.11B"),
    ("Librairie", "47.61Z"), ("Hôtel", "55.10Z"), ("Auto-école", "85.53Z"),
    ("Formation", "85.59A"), ("Architecture", "71.11Z"), ("Bureau d'études", "71.12B"),
    ("Nettoyage", "81.21Z"), ("Paysagiste", "81.30Z"), ("Maçonnerie", "43.99C"),
    ("Peinture", "43.34Z"), ("Photographie", "74.20Z"), ("Communication", "73.11Z"),
    ("Holding", "70.10Z"), ("Pressing", "96.01B"), ("Fleuriste", "47.76Z"),
    ("Ambulances", "86.90A"), ("Imprimerie", "18.12Z"), ("Brasserie", "11.05Z"),
    ("Fromagerie", "10.51C"), ("Scierie", "16.10A"), ("Assurances", "66.22Z"),
    ("Éditions", "58.11Z"), ("Carrière", "08.12Z"), ("Centrale solaire", "35.11Z"),
    ("Recyclage", "38.32Z"), ("Location", "77.32Z"), ("Intérim", "78.20Z"),
    ("Production", "59.11A"), ("Laboratoire", "72.19Z"), ("Vins", "46.34Z"),
    ("Charpente", "43.91A"), ("Terrassement", "43.12A"), ("Kinésithérapie", "86.90E"),
    ("Traiteur", "56.21Z"), ("Camping", "55.30Z"), ("Quincaillerie", "47.52A"),
)  # fmt: skip
ASSOCIATION_KINDS = (
    ("Association sportive", "93.12Z"), ("Comité des fêtes", "94.99Z"),
    ("Les Amis", "94.99Z"), ("Foyer rural", "94.99Z"), ("Club de football", "93.12Z"),
    ("Tennis club", "93.12Z"), ("Judo club", "93.12Z"), ("Les Jardins", "88.99B"),
    ("Jardins partagés", "94.99Z"), ("Compagnie théâtrale", "90.01Z"),
    ("École de musique", "85.52Z"), ("Centre social", "88.99B"), ("Ressourcerie", "38.32Z"),
    ("Recyclerie", "38.32Z"), ("Amicale des anciens", "94.99Z"),
    ("Association des parents d'élèves", "94.99Z"), ("Chantier d'insertion", "88.99B"),
    ("Aide à domicile", "88.10A"), ("Épicerie solidaire", "88.99B"), ("Festival", "90.02Z"),
    ("Office de tourisme", "79.90Z"), ("Maison des jeunes et de la culture", "93.29Z"),
    ("Crèche parentale", "88.91A"), ("Société de chasse", "93.19Z"),
    ("Association familiale", "88.99B"), ("Anciens combattants", "94.99Z"),
    ("Union sportive", "93.12Z"), ("Cyclo-club", "93.12Z"), ("Accueil de loisirs", "88.91B"),
    ("Harmonie", "90.01Z"), ("Bibliothèque pour tous", "91.01Z"),
    ("Comité de jumelage", "94.99Z"), ("Association culturelle", "90.04Z"),
    ("Amap", "94.99Z"), ("Café associatif", "56.30Z"), ("Tiers-lieu", "94.99Z"),
    ("Espace de vie sociale", "88.99B"), ("Mission locale", "88.99B"),
    ("Régie de quartier", "81.29B"), ("Association", "94.99Z"),
)  # fmt: skip
# categorie_juridique -> (weight %, kind of name)
CATEGORIES = {
    "1000": (45.0, "person"), "5710": (12.0, "company"), "5720": (4.0, "company"),
    "5499": (9.0, "company"), "5498": (3.0, "company"), "6540": (7.0, "sci"),
    "9220": (12.3, "association"), "9210": (0.4, "association"), "9230": (0.2, "association"),
    "9260": (0.1, "association"), "5458": (0.15, "scop"), "5460": (0.1, "cooperative"),
    "6317": (0.25, "agricultural"), "5560": (0.05, "cooperative"), "8210": (0.05, "mutual"),
    "9300": (0.03, "foundation"), "7210": (0.35, "commune"), "7346": (0.03, "epci"),
    "7361": (0.05, "ccas"), "7331": (0.08, "school"), "7383": (0.01, "university"),
    "4140": (0.03, "regie"), "6220": (0.1, "gie"), "8410": (0.2, "union"),
    "9900": (0.3, "brand"), "": (0.1, "brand"),
}  # fmt: skip
NO_SIREN_SHARE = 0.003
TRANCHES = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51")
TRANCHE_WEIGHTS = (40, 25, 12, 7, 5, 4, 3, 1.5, 1, 0.5, 0.5, 0.3, 0.1, 0.05)
STOPWORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "a", "pour", "en", "sur"}
_WORD = re.compile(r"[^\W\d_]{3,}")
_VOWEL_START = re.compile(r"^[AEIOUYÉÈÊÂÎÔÛHaeiouyéèêâîôûh]")


# ------------------------------------------------------------------------ synthetic data


def _de(name: str) -> str:
    """The French "de X", with elision: "d'Écully", "de Beaumont"."""
    return f"d'{name}" if _VOWEL_START.match(name) else f"de {name}"


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _towns(rnd: random.Random, count: int = 6000) -> list[str]:
    def simple() -> str:
        return rnd.choice(TOWN_ROOTS) + rnd.choice(TOWN_ENDINGS)

    found: dict[str, None] = {}
    while len(found) < count:
        shape = rnd.random()
        if shape < 0.55:
            town = simple()
        elif shape < 0.7:
            town = (
                f"Saint-{rnd.choice(SAINTS)}"
                if rnd.random() < 0.75
                else f"Sainte-{rnd.choice(SAINTES)}"
            )
            if rnd.random() < 0.6:
                town += rnd.choice(("-sur-", "-de-", "-en-", "-du-")) + rnd.choice(RIVERS + PAYS)
        elif shape < 0.9:
            town = simple() + rnd.choice(
                (
                    f"-sur-{rnd.choice(RIVERS)}",
                    f"-en-{rnd.choice(PAYS)}",
                    f"-lès-{simple()}",
                    "-le-Château",
                    "-les-Bains",
                    "-la-Forêt",
                )
            )
        else:
            town = rnd.choice(("Le ", "La ", "Les ")) + simple()
        found[town] = None
    return list(found)


def _rare_names(
    rnd: random.Random, syllables: Sequence[str], endings: Sequence[str], count: int
) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < count:
        word = "".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 3)))
        found[(word + rnd.choice(endings)).capitalize()] = None
    return list(found)


class _Names:
    """Name builders by kind of organisation; each returns (name, NAF or None)."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.towns = _towns(rnd)
        ranks = np.arange(1, len(self.towns) + 1, dtype=np.float64)
        self.town_weights = list(np.cumsum(1.0 / ranks**0.9))
        self.rare_surnames = _rare_names(rnd, SURNAME_SYLLABLES, SURNAME_ENDINGS, 20_000)
        common = np.arange(1, len(SURNAMES) + 1, dtype=np.float64)
        self.surname_weights = list(np.cumsum(1.0 / common**0.7))
        self.brands = _rare_names(rnd, BRAND_SYLLABLES, BRAND_ENDINGS, 30_000)

    def town(self) -> str:
        return self.rnd.choices(self.towns, cum_weights=self.town_weights)[0]

    def surname(self) -> str:
        if self.rnd.random() < 0.55:
            return self.rnd.choices(SURNAMES, cum_weights=self.surname_weights)[0]
        return self.rnd.choice(self.rare_surnames)

    def brand(self) -> str:
        return self.rnd.choice(self.brands)

    def build(self, kind: str) -> tuple[str, str | None]:
        rnd = self.rnd
        roll = rnd.random()
        if kind == "person":
            trade = rnd.choice(TRADES)
            return f"{self.surname().upper()} {rnd.choice(FIRST_NAMES)}", trade[1]
        if kind == "company":
            trade = rnd.choice(TRADES)
            if roll < 0.35:
                return f"{trade[0]} {self.surname()}", trade[1]
            if roll < 0.6:
                return self.brand(), trade[1]
            if roll < 0.78:
                return f"{self.brand()} {rnd.choice(BUSINESS_SUFFIXES)}", trade[1]
            if roll < 0.9:
                return f"{trade[0]} {_de(self.town())}", trade[1]
            return f"{self.surname()} {rnd.choice(('et Fils', '& Associés', 'Frères'))}", trade[1]
        if kind == "association":
            label, naf = rnd.choice(ASSOCIATION_KINDS)
            if roll < 0.7:
                return f"{label} {_de(self.town())}", naf
            if roll < 0.85:
                return f"{label} du {rnd.choice(PAYS)}", naf
            return f"{label} {self.brand()}", naf
        if kind == "sci":
            return f"SCI {self.surname() if roll < 0.6 else self.brand()}", "68.20B"
        if kind == "scop":
            trade = rnd.choice(TRADES)
            return (
                f"Scop {self.brand()}" if roll < 0.5 else f"{trade[0]} {self.brand()} Scop"
            ), trade[1]
        if kind == "cooperative":
            return f"Coopérative {self.brand()}", rnd.choice(TRADES)[1]
        if kind == "agricultural":
            if roll < 0.5:
                return f"Coopérative agricole {_de(self.town())}", "46.21Z"
            return f"CUMA {_de(self.town())}", "01.61Z"
        if kind == "mutual":
            return f"Mutuelle {self.brand() if roll < 0.5 else _de(self.town())}", "65.12Z"
        if kind == "foundation":
            return f"Fondation {self.surname()}", "88.99B" if roll < 0.7 else "72.19Z"
        if kind == "commune":
            return f"Commune {_de(self.town())}", "84.11Z"
        if kind == "epci":
            return f"Communauté de communes du {rnd.choice(PAYS)}", "84.11Z"
        if kind == "ccas":
            return f"CCAS {_de(self.town())}", "88.99B"
        if kind == "school":
            school = rnd.choice(("Lycée", "Collège", "Lycée professionnel"))
            return f"{school} {rnd.choice(FIRST_NAMES)} {self.surname()}", "85.31Z"
        if kind == "university":
            return f"Université {_de(self.town())}", "85.42Z"
        if kind == "regie":
            return f"Régie des eaux {_de(self.town())}", "36.00Z"
        if kind == "gie":
            return f"GIE {self.brand()}", "82.99Z"
        if kind == "union":
            return f"Syndicat des {rnd.choice(TRADES)[0].lower()} {_de(self.town())}", "94.20Z"
        return f"{self.brand()} {rnd.choice(BUSINESS_SUFFIXES)}", None


def _acronym(name: str) -> str:
    words = [w for w in _WORD.findall(name) if w.lower() not in STOPWORDS]
    return "".join(w[0] for w in words).upper() if len(words) >= 2 else ""


def _search_texts(names: list[str], acronyms: list[str]) -> list[str]:
    """`normalize(name + " " + acronym)` as `actors.services` computes it, word by word
    through a cache (normalize works word by word; checked on the first rows)."""
    from ptce.territories.names import normalize

    cache: dict[str, str] = {}

    def key(text: str) -> str:
        parts = []
        for word in text.split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = normalize(word)
            if found:
                parts.append(found)
        return " ".join(parts)

    texts = [key(f"{name} {acronym}") for name, acronym in zip(names, acronyms, strict=True)]
    for i in range(min(len(names), 20_000)):
        if texts[i] != normalize(" ".join(p for p in (names[i], acronyms[i]) if p)):
            raise AssertionError(f"search_text differs from normalize() for {names[i]!r}")
    return texts


def _sirens(rng: np.random.Generator, count: int) -> np.ndarray:
    prefixes = np.unique(rng.integers(10_000_000, 99_999_999, int(count * 1.05) + 10))[:count]
    rng.shuffle(prefixes)
    sirens: np.ndarray = prefixes * 10 + luhn_digit(prefixes, 8)
    return sirens


def synthetic_organisations(
    count: int, seed: int = SEED
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Rows in ORG_COLUMNS order, and the département of each one's head office."""
    from ptce.actors.classification import classify_many

    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    names = _Names(rnd)
    codes = list(CATEGORIES)
    weights = np.array([w for w, _ in CATEGORIES.values()])
    category = np.asarray(codes, dtype=object)[
        rng.choice(len(codes), count, p=weights / weights.sum())
    ]
    has_siren = rng.random(count) >= NO_SIREN_SHARE
    category[~has_siren] = ""
    sirens = _sirens(rng, count)
    flag_roll = rng.random(count)
    tranche_p = np.array(TRANCHE_WEIGHTS) / sum(TRANCHE_WEIGHTS)
    tranche = np.asarray(TRANCHES, dtype=object)[rng.choice(len(TRANCHES), count, p=tranche_p)]
    tranche[(category == "1000") & (rng.random(count) < 0.7)] = "NN"
    no_tranche = rng.random(count) < 0.05
    tranche[no_tranche] = ""
    active = rng.random(count) < 0.9
    upper = rng.random(count)
    acronym_roll = rng.random(count)
    days = rng.integers(0, 27_000, count).astype("timedelta64[D]") + np.datetime64("1952-01-01")
    created = days.astype(str)
    no_naf = rng.random(count) < 0.01
    hidden = rng.random(count)
    rna = rng.integers(10**8, 10**9, count)

    kinds = {code: kind for code, (_, kind) in CATEGORIES.items()}
    ess_kinds = {"association", "scop", "cooperative", "agricultural", "mutual", "foundation"}
    company_kinds = {"company", "sci", "gie"}
    rows_name: list[str] = []
    rows_naf: list[str] = []
    rows_ess: list[bool | None] = []
    rows_acronym: list[str] = []
    for i in range(count):
        kind = kinds[category[i]]
        if kind == "person" and hidden[i] < 0.03:
            name = "Entrepreneur individuel (diffusion partielle)"
            code: str | None = rnd.choice(TRADES)[1]
        else:
            name, code = names.build(kind)
            if upper[i] < 0.4:
                name = name.upper() if upper[i] < 0.2 else _strip_accents(name).upper()
        rows_name.append(name)
        rows_naf.append("" if no_naf[i] or code is None else code)
        roll = flag_roll[i]
        if kind in ess_kinds:
            rows_ess.append(True if roll < 0.95 else None)
        elif kind in company_kinds:
            rows_ess.append(True if roll < 0.02 else None if roll > 0.95 else False)
        else:
            rows_ess.append(False if roll < 0.9 else None)
        wants = 0.25 if kind == "association" else 0.0 if kind == "person" else 0.05
        rows_acronym.append(_acronym(name) if acronym_roll[i] < wants else "")

    results = classify_many(list(category), rows_ess, rows_naf, list(tranche))
    search_text = _search_texts(rows_name, rows_acronym)
    organisations = []
    for i in range(count):
        name, acronym, cls = rows_name[i], rows_acronym[i], results[i]
        is_association = kinds[category[i]] == "association"
        organisations.append(
            (
                i + 1,
                name,
                f"{sirens[i]:09d}" if has_siren[i] else None,
                acronym,
                category[i],
                rows_ess[i],
                None,
                created[i] if has_siren[i] else None,
                bool(active[i]),
                tranche[i],
                rows_naf[i],
                f"W{rna[i]}" if is_association else "",
                "",
                bool(category[i] == "1000" and hidden[i] < 0.03),
                cls.actor_type,
                False,
                cls.ess_family,
                cls.size_class,
                cls.reason,
                "sirene" if has_siren[i] else "manual",
                "public",
                search_text[i],
                NOW,
                NOW,
            )
        )
    return organisations, list(category)


def _departement_weights(rng: np.random.Generator) -> np.ndarray:
    weights = rng.lognormal(0.0, 0.6, len(DEPARTEMENTS))
    weights[[d in BIG_DEPARTEMENTS for d in DEPARTEMENTS]] *= 4
    shares: np.ndarray = weights / weights.sum()
    return shares


def synthetic_establishments(
    organisations: list[tuple[Any, ...]], seed: int = SEED
) -> list[tuple[Any, ...]]:
    """Rows in EST_COLUMNS order: 1 + Poisson(0.2) per organisation, the head office first."""
    rng = np.random.default_rng(seed + 1)
    count = len(organisations)
    per_org = 1 + rng.poisson(0.2, count)
    total = int(per_org.sum())
    owner = np.repeat(np.arange(count), per_org)
    first = np.concatenate(([True], owner[1:] != owner[:-1]))
    nic = np.arange(total) - np.maximum.accumulate(np.where(first, np.arange(total), 0)) + 1
    dep_p = _departement_weights(rng)
    home = rng.choice(len(DEPARTEMENTS), count, p=dep_p)
    elsewhere = rng.choice(len(DEPARTEMENTS), total, p=dep_p)
    dep_index = np.where(first | (rng.random(total) < 0.7), home[owner], elsewhere)
    centres_lat = rng.uniform(43.0, 50.5, len(DEPARTEMENTS))
    centres_lon = rng.uniform(-3.5, 7.0, len(DEPARTEMENTS))
    placed = rng.random(total) < 0.9
    lat = np.round(centres_lat[dep_index] + rng.normal(0, 0.25, total), 6)
    lon = np.round(centres_lon[dep_index] + rng.normal(0, 0.3, total), 6)
    lats = np.where(placed, lat, np.nan).astype(object)
    lons = np.where(placed, lon, np.nan).astype(object)
    lats[~placed] = None
    lons[~placed] = None
    precision = np.where(placed, np.where(rng.random(total) < 0.78, "address", "commune"), "none")
    precision = precision.astype(object)
    departement = np.asarray(DEPARTEMENTS, dtype=object)[dep_index]
    commune_number = (rng.random(total) ** 2 * 600).astype(np.int64) + 1
    code_commune = departement + np.char.zfill(commune_number.astype(str), 3).astype(object)
    code_postal = np.where(np.isin(departement, ["2A", "2B"]), "20", departement) + "000"
    sirens = np.asarray([org[2] or "0" for org in organisations], dtype=np.int64)[owner]
    siret13 = sirens * 10_000 + nic
    sirets = np.char.zfill((siret13 * 10 + luhn_digit(siret13, 13)).astype(str), 14)
    sirets = sirets.astype(object)
    sirets[sirens == 0] = None
    est_active = rng.random(total) < np.where(first, 0.97, 0.8)
    enseigne = rng.random(total) < 0.2
    streets = [f"rue {s}" for s in SURNAMES] + [f"avenue Saint-{s}" for s in SAINTS]
    address = (
        rng.integers(1, 200, total).astype(str).astype(object)
        + " "
        + np.asarray(streets, dtype=object)[rng.integers(0, len(streets), total)]
    )
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for j, (o, siret, dep, lat_j, lon_j) in enumerate(
        zip(owner.tolist(), sirets, departement, lats, lons, strict=True)
    ):
        org = organisations[o]
        append(
            (
                j + 1,
                siret,
                org[0],
                org[1] if enseigne[j] else "",
                address[j],
                code_postal[j],
                code_commune[j],
                None,
                dep,
                lat_j,
                lon_j,
                precision[j],
                org[10],
                org[9],
                bool(first[j]),
                bool(org[8] and est_active[j]),
                None,
                "sirene" if siret else "manual",
                NOW,
            )
        )
    return rows


# ------------------------------------------------------------------------ query sets


def _prefix(rnd: random.Random, word: str) -> str:
    """The word as typed so far: at least 4 letters (or the whole word)."""
    return word[: rnd.randint(min(len(word), 4), len(word))]


def synthetic_queries(
    organisations: list[tuple[Any, ...]], seed: int = SEED
) -> dict[str, list[Any]]:
    rnd = random.Random(seed + 2)
    words_of = [_WORD.findall(org[1]) for org in organisations]
    vocabulary = sorted(Counter(w for words in words_of for w in words))
    with_words = [i for i, words in enumerate(words_of) if words]
    with_two = [i for i, words in enumerate(words_of) if len(words) >= 2]

    def one_word(common: bool) -> str:
        if common:
            return _prefix(rnd, rnd.choice(words_of[rnd.choice(with_words)]))
        return _prefix(rnd, rnd.choice(vocabulary))

    def query() -> str:
        roll = rnd.random()
        if roll < 0.4:
            return one_word(common=True)
        if roll < 0.7:
            return one_word(common=False)
        words = words_of[rnd.choice(with_two)]
        first = rnd.randrange(len(words) - 1)
        second = rnd.randrange(first + 1, len(words))
        return f"{words[first]} {_prefix(rnd, words[second])}"

    def typed() -> str:
        text = query()
        return text.lower() if rnd.random() < 0.5 else text

    search = [typed() for _ in range(SEARCH_QUERIES)]
    dep_p = _departement_weights(np.random.default_rng(seed + 1))
    departements = list(
        np.asarray(DEPARTEMENTS)[
            np.random.default_rng(seed + 3).choice(
                len(DEPARTEMENTS), FACET_QUERIES + API_QUERIES, p=dep_p
            )
        ]
    )
    actor_types = sorted({org[14] for org in organisations})
    from ptce.actors import naf

    sections = sorted({s for org in organisations if (s := naf.section_of(org[10]))})
    facets: list[tuple[str, str, str]] = []
    for i in range(FACET_QUERIES):
        kind = ("departement", "actor_type", "ess", "naf_section")[i % 4]
        value = {
            "departement": str(departements[i]),
            "actor_type": rnd.choice(actor_types),
            "ess": "",
            "naf_section": rnd.choice(sections),
        }[kind]
        facets.append((kind, value, one_word(common=rnd.random() < 0.5) if (i // 4) % 2 else ""))
    api = [(typed(), str(departements[FACET_QUERIES + i])) for i in range(API_QUERIES)]
    return {"search": search, "facets": facets, "api": api}


def build_data(path: Path, count: int = ORGANISATIONS) -> dict[str, float]:
    started = time.perf_counter()
    organisations, _ = synthetic_organisations(count)
    establishments = synthetic_establishments(organisations)
    queries = synthetic_queries(organisations)
    with path.open("wb") as out:
        pickle.dump(
            {"organisations": organisations, "establishments": establishments, "queries": queries},
            out,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    return {
        "organisations": len(organisations),
        "establishments": len(establishments),
        "seconds": time.perf_counter() - started,
        "ess_share": sum(org[14] == "ess" for org in organisations) / len(organisations),
        "facet_cases": queries["facets"],
    }


# ---------------------------------------------------------------------- child process


def _setup_django(database_url: str, var_dir: Path) -> None:
    """Django on the fresh database, migrated: `bench.sirene_import._setup_django` without
    the territory reference (the directory does not read it), DEBUG off as in production."""
    os.environ["PTCE_VAR_DIR"] = str(var_dir)
    os.environ["PTCE_DEBUG"] = "0"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _progress(text: str) -> None:
    print(f"  ({text})", file=sys.stderr, flush=True)


def _check_columns() -> None:
    from ptce.actors.models import Establishment, Organisation

    for model, columns in ((Organisation, ORG_COLUMNS), (Establishment, EST_COLUMNS)):
        actual = {f.column for f in model._meta.concrete_fields}
        if actual != set(columns):
            raise AssertionError(f"{model._meta.db_table}: columns changed {actual ^ set(columns)}")


def _drop_secondary_indexes(cursor: Any, sqlite: bool, table: str) -> list[str]:
    """Drop the non-unique indexes of `table` (PostgreSQL: and its foreign keys); the
    statements that rebuild them (as the SIRENE import does for a large load)."""
    if sqlite:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
        indexes = cursor.fetchall()
        keys = []
    else:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        keys = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    for name, _ in keys:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return [sql for _, sql in indexes] + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for name, definition in keys
    ]


def load(data: dict[str, Any]) -> dict[str, float]:
    """The rows into the real tables with raw SQL; the full-text index rebuilt once by the
    migration's own statements; ANALYZE. Seconds of each step."""
    from django.db import connection, transaction

    sqlite = connection.vendor == "sqlite"
    fts = importlib.import_module("ptce.actors.migrations.0002_full_text_search")
    # PostgreSQL: the GIN index as the latest migration defines it (the expression the
    # queries use)
    gin = importlib.import_module("ptce.actors.migrations.0004_search_index_matches_query")
    tables = (("actors_organisation", ORG_COLUMNS), ("actors_establishment", EST_COLUMNS))
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in fts.SQLITE_DOWN if sqlite else fts.POSTGRES_DOWN:
            cursor.execute(sql)
        rebuild = []
        for table, _ in reversed(tables):
            rebuild += _drop_secondary_indexes(cursor, sqlite, table)
        # bulk-load settings for this transaction only: a larger page cache (SQLite), more
        # memory for index builds (PostgreSQL)
        cursor.execute(
            "PRAGMA cache_size = -524288" if sqlite else "SET LOCAL maintenance_work_mem = '512MB'"
        )
        raw = connection.connection.cursor()
        for (table, columns), rows in zip(
            tables, (data["organisations"], data["establishments"]), strict=True
        ):
            names = ", ".join(columns)
            if sqlite:
                marks = ", ".join("?" * len(columns))
                raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            else:
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        seconds["rows"] = time.perf_counter() - started
        for sql in rebuild:
            cursor.execute(sql)
        seconds["indexes"] = time.perf_counter() - started - seconds["rows"]
    mark = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if not sqlite:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for sql in fts.SQLITE_UP if sqlite else gin.UP:
            cursor.execute(sql)
    seconds["full_text"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA cache_size = -2000")  # back to the default
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE actors_organisation, actors_establishment")
    seconds["analyze"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return seconds


def _series(
    cases: Sequence[Any], action: Callable[[Any], Any], budget: float
) -> tuple[list[float], list[Any]]:
    """Milliseconds per case and the answers, until the budget is spent."""
    for case in cases[:3]:  # warm-up
        action(case)
    times: list[float] = []
    answers: list[Any] = []
    deadline = time.perf_counter() + budget
    for case in cases:
        started = time.perf_counter()
        answers.append(action(case))
        times.append((time.perf_counter() - started) * 1e3)
        if time.perf_counter() > deadline:
            break
    return times, answers


def _plan(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return "\n".join(lines)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _explain_slowest(
    cases: Sequence[Any], times: list[float], action: Callable[[Any], Any]
) -> dict[str, Any]:
    """The slowest case, run again with its SQL captured; the slowest statement explained."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    i = int(np.argmax(times))
    with CaptureQueriesContext(connection) as captured:
        action(cases[i])
    statements = sorted(
        ((float(q["time"]) * 1e3, q["sql"]) for q in captured.captured_queries), reverse=True
    )
    if not statements:  # answered from memory (the facet index)
        return {
            "case": repr(cases[i]),
            "ms": times[i],
            "statements_ms": [],
            "sql_ms": 0.0,
            "sql": "(no SQL: answered from memory)",
            "plan": "",
        }
    worst_ms, sql = statements[0]
    return {
        "case": repr(cases[i]),
        "ms": times[i],
        "statements_ms": [round(ms, 1) for ms, _ in statements],
        "sql_ms": worst_ms,
        "sql": sql,
        "plan": _plan(sql),
    }


def measure(queries: dict[str, list[Any]]) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from ptce.actors import directory, facet_index, naf
    from ptce.actors.models import ActorType, EssFamily, Organisation

    reader = AnonymousUser()  # every synthetic organisation is public: reads them all

    def search(q: str) -> int:
        results = directory.Results(directory.DirectoryFilters(q=q), reader)
        results[:PAGE_SIZE]
        return results.count()

    def search_sql(q: str) -> int:
        qs = directory.search(directory.DirectoryFilters(q=q))
        list(qs.order_by("name", "id")[:PAGE_SIZE])
        count: int = qs.count()
        return count

    def naive_search(q: str) -> int:
        qs = Organisation.objects.filter(active=True)
        for word in q.split():
            qs = qs.filter(name__icontains=word)
        list(qs.order_by("name", "id")[:PAGE_SIZE])
        count: int = qs.count()
        return count

    def filters(case: tuple[str, str, str]) -> directory.DirectoryFilters:
        kind, value, q = case
        found = directory.DirectoryFilters(q=q)
        if kind == "departement":
            found.departements = [value]
        elif kind == "actor_type":
            found.actor_types = [value]
        elif kind == "ess":
            found.ess = True
        else:
            found.naf_sections = [value]
        return found

    built = time.perf_counter()
    facet_index.get()
    out_build = (time.perf_counter() - built) * 1000

    def facets(case: tuple[str, str, str]) -> dict[str, dict[str, int]]:
        counts = directory.facets(filters(case), reader)
        return {key: {v["value"]: v["count"] for v in values} for key, values in counts.items()}

    def naive_facets(case: tuple[str, str, str]) -> dict[str, dict[str, int]]:
        rows = (
            directory.search(filters(case))
            .order_by()
            .values_list("actor_type", "ess_family", "naf", "tranche_effectifs")
        )
        types: Counter[str] = Counter()
        families: Counter[str] = Counter()
        divisions: Counter[str] = Counter()
        bands: Counter[str] = Counter()
        for actor_type, family, code, band in rows:
            types[actor_type] += 1
            families[family] += 1
            divisions[code[:2]] += 1
            bands[band] += 1
        sections: Counter[str] = Counter()
        for division, n in divisions.items():
            letter = naf.section_of(division)
            if letter:
                sections[letter] += n
        return {
            "actor_type": {k: n for k, n in types.items() if k in ActorType.values},
            "ess_family": {k: n for k, n in families.items() if k in EssFamily.values},
            "naf_section": dict(sections),
            "tranche_effectifs": {k: n for k, n in bands.items() if k in directory.HEADCOUNT_BANDS},
        }

    client = Client()

    def api(case: tuple[str, str]) -> int:
        q, departement = case
        response = client.get("/api/v1/organisations", {"q": q, "departement": departement})
        if response.status_code != 200:
            raise AssertionError(f"API {case}: HTTP {response.status_code}")
        return int(response.json()["count"])

    out: dict[str, Any] = {"series": {}, "explain": {}, "facet_index_ms": out_build}
    plans = (
        ("search", queries["search"], search),
        ("search_sql", queries["search"], search_sql),
        ("naive_search", queries["search"][:NAIVE_QUERIES], naive_search),
        ("facets", queries["facets"], facets),
        ("naive_facets", queries["facets"][:NAIVE_QUERIES], naive_facets),
        ("api", queries["api"], api),
    )
    for name, cases, action in plans:
        started = time.perf_counter()
        times, answers = _series(cases, action, BUDGETS[name])
        out["series"][name] = {"times": times, "planned": len(cases)}
        if name in ("search", "search_sql", "api"):
            out["series"][name]["hits"] = answers
        if name == "search_sql" and answers != out["series"]["search"]["hits"][: len(answers)]:
            raise AssertionError("the index and SQL count different hits for a name")
        if name == "naive_facets":
            expected = out.pop("facet_answers")[: len(answers)]
            for case, mine, naive in zip(cases, expected, answers, strict=False):
                if mine != naive:
                    raise AssertionError(f"facets disagrees with Counter for {case}")
        if name == "facets":
            out["facet_answers"] = answers
        if name in ("search_sql", "facets", "api"):
            out["explain"][name] = _explain_slowest(cases, times, action)
        _progress(
            f"{name}: {len(times)}/{len(cases)} queries, p95 {np.percentile(times, 95):,.0f} ms, "
            f"{time.perf_counter() - started:.0f} s"
        )
    return out


def child_main(argv: list[str]) -> None:
    database_url, var_dir, data_path = argv
    _setup_django(database_url, Path(var_dir))
    _check_columns()
    started = time.perf_counter()
    with Path(data_path).open("rb") as source:
        data = pickle.load(source)  # written by the parent process
    _progress(f"data read in {time.perf_counter() - started:.1f} s")
    result: dict[str, Any] = {"load": load(data)}
    _progress(f"loaded in {result['load']['total']:.1f} s")
    queries = data["queries"]
    del data
    result |= measure(queries)
    print(json.dumps(result))


# ------------------------------------------------------------------------------ parent


def _child(database_url: str, var_dir: Path, data: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.directory_search", database_url, str(var_dir), str(data)],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench child failed (exit {completed.returncode}), see above")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _p95(times: list[float]) -> float:
    return float(np.percentile(times, 95))


def _count_note(series: dict[str, Any]) -> str:
    measured = len(series["times"])
    return "" if measured == series["planned"] else f" [{measured}/{series['planned']}]"


def _print_explain(label: str, name: str, explain: dict[str, Any]) -> None:
    top = ' FROM "actors_organisation" '  # the select list is long: elided
    sql = re.sub(rf"^SELECT .{{60,}}?{top}", f"SELECT ...{top}", explain["sql"], count=1)
    print(
        f"  ({label} slowest {name}: {explain['case']} {explain['ms']:,.0f} ms; statements "
        f"{explain['statements_ms']} ms; slowest SQL:\n    {sql[:700]}\n    plan:",
        flush=True,
    )
    for line in explain["plan"].splitlines()[:25]:
        print(f"      {line}", flush=True)
    print("  )", flush=True)


def report_database(
    report: Report, label: str, info: dict[str, Any], result: dict[str, Any]
) -> None:
    load_s = result["load"]
    series = result["series"]
    report(
        name=f"directory load {label}, {info['organisations']:,} orgs",
        value=load_s["total"],
        unit="s",
        higher_is_better=False,
    )
    print(
        f"  ({info['organisations']:,} organisations + {info['establishments']:,} "
        f"establishments: rows {load_s['rows']:.1f} s, indexes {load_s['indexes']:.1f} s, "
        f"full-text {load_s['full_text']:.1f} s, analyze {load_s['analyze']:.1f} s)",
        flush=True,
    )
    search, naive = series["search"], series["naive_search"]
    report(
        name=f"name search p95 {label} (page+count){_count_note(search)}",
        value=_p95(search["times"]),
        unit="ms",
        baseline=_p95(naive["times"]),
        higher_is_better=False,
        target=TARGET_SEARCH_MS,
    )
    hits = search["hits"]
    print(
        f"  (name search: median {np.median(search['times']):.1f} ms, max "
        f"{max(search['times']):,.0f} ms; hits median {np.median(hits):,.0f}, max "
        f"{max(hits):,}, none for {sum(h == 0 for h in hits)}; naive p95 over "
        f"{len(naive['times'])} queries)",
        flush=True,
    )
    in_sql = series["search_sql"]
    report(
        name=f"name search p95 {label}, SQL path (page+count){_count_note(in_sql)}",
        value=_p95(in_sql["times"]),
        unit="ms",
        baseline=_p95(naive["times"]),
        higher_is_better=False,
    )
    facets, naive_facets = series["facets"], series["naive_facets"]
    report(
        name=f"facet counts p95 {label}{_count_note(facets)}",
        value=_p95(facets["times"]),
        unit="ms",
        baseline=_p95(naive_facets["times"]),
        higher_is_better=False,
        target=TARGET_FACETS_MS,
    )
    print(
        f"  (facet index built in {result['facet_index_ms'] / 1000:.1f} s, once per process "
        "and after each change of the directory; it answers every filter but a NAF code "
        "prefix or a perimeter, names included)",
        flush=True,
    )
    groups: dict[str, list[float]] = {}
    cases = result["facet_cases"]
    for (kind, _, q), ms in zip(cases, facets["times"], strict=False):
        groups.setdefault(f"{kind}{' + word' if q else ''}", []).append(ms)
    print(
        "  (facet counts p95 by filter: "
        + ", ".join(f"{k} {_p95(v):,.0f} ms" for k, v in sorted(groups.items()))
        + ")",
        flush=True,
    )
    api = series["api"]
    report(
        name=f"API organisations?q&departement p95 {label}{_count_note(api)}",
        value=_p95(api["times"]),
        unit="ms",
        higher_is_better=False,
    )
    for name, explain in result["explain"].items():
        _print_explain(label, name, explain)


def bench_database(
    report: Report,
    label: str,
    admin_url: str | None,
    work: Path,
    data: Path,
    info: dict[str, Any],
) -> None:
    var_dir = work / f"var-{label}"
    var_dir.mkdir()
    url = _recreate_database(admin_url, BENCH_DB) if admin_url else ""
    try:
        result = _child(url, var_dir, data)
    finally:
        if admin_url:
            _recreate_database(admin_url, BENCH_DB, drop_only=True)
    result["facet_cases"] = info["facet_cases"]
    report_database(report, label, info, result)


def run(report: Report) -> None:
    with tempfile.TemporaryDirectory(prefix="ptce-bench-directory-") as tmp:
        work = Path(tmp)
        data = work / "directory.pickle"
        info = build_data(data)
        print(
            f"  (synthetic directory: {info['organisations']:,} organisations "
            f"({info['ess_share']:.1%} ESS), {info['establishments']:,} establishments, "
            f"{info['seconds']:.1f} s)",
            flush=True,
        )
        bench_database(report, "SQLite", None, work, data, info)
        admin_url = _postgres_admin_url()
        if admin_url is None:
            print("  (PostgreSQL unreachable: skipped)", flush=True)
            return
        bench_database(report, "PostgreSQL", admin_url, work, data, info)


if __name__ == "__main__":
    child_main(sys.argv[1:])
