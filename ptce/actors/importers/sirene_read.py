"""Reading SIRENE files: streams of string columns, found by header name, and the
vectorised checks and conversions applied to them.

No Django import here. A file is the INSEE zip (holding one CSV), the CSV itself or a
Parquet file, recognised by its first bytes. Files are never loaded whole: CSV is parsed by
`pyarrow.csv.open_csv` in blocks of `CSV_BLOCK_BYTES`, Parquet read by `iter_batches` of
`PARQUET_BATCH_ROWS` rows; each batch comes as a dict of pyarrow string arrays without
nulls (an absent optional column reads as empty strings).

The block size sets the memory: pyarrow's streaming CSV reader keeps about fifty blocks in
flight (read-ahead). Measured on the 54-column stock: 4 MiB blocks parse 2 M rows as fast
as 32 MiB ones (about 1 s) with a peak RSS of 300 MB instead of 750 MB.

Everything that runs once per row is vectorised (pyarrow compute, numpy): the SIRET and
SIREN check digits (`valid_siret`, `valid_siren`: the rules of python-stdnum, which the
tests use as the oracle), NAF codes, dates, Lambert-93 coordinates and the search key of
names (`normalize_many`, equal to `names.normalize`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from ptce.actors import classification
from ptce.actors.importers.sirene_checks import (
    KeySet,
    decimals,
    digits_of,
    first_filled,
    iso_dates,
    join_words,
    member_of,
    naf_rev2,
    normalize_many,
    to_numpy_bool,
    truncate,
    unmask,
    valid_siren,
    valid_siret,
)
from ptce.actors.importers.sirene_files import (
    MASKED,
    Batch,
    _blank,
)
from ptce.territories import geo

# ----------------------------------------------------------------- the three SIRENE files

ESTABLISHMENT_REQUIRED: Final = (
    "siren",
    "siret",
    "etatAdministratifEtablissement",
    "codeCommuneEtablissement",
    "activitePrincipaleEtablissement",
)
ESTABLISHMENT_OPTIONAL: Final = (
    "statutDiffusionEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "etablissementSiege",
    "dateCreationEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "complementAdresseEtablissement",
    "codePostalEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
)
# Columns that read "[ND]" when the unit asked for partial diffusion.
MASKABLE_ESTABLISHMENT: Final = (
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "complementAdresseEtablissement",
    "codePostalEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
)
LEGAL_UNIT_REQUIRED: Final = ("siren",)
LEGAL_UNIT_OPTIONAL: Final = (
    "statutDiffusionUniteLegale",
    "denominationUniteLegale",
    "sigleUniteLegale",
    "nomUniteLegale",
    "prenom1UniteLegale",
    "categorieJuridiqueUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "etatAdministratifUniteLegale",
    "dateCreationUniteLegale",
    "trancheEffectifsUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "identifiantAssociationUniteLegale",
)
GEOLOCATION_REQUIRED: Final = ("siret", "y_latitude", "x_longitude")
GEOLOCATION_OPTIONAL: Final = ("qualite_xy",)

MASKED_PERSON_NAME: Final = "Entrepreneur individuel (diffusion partielle)"
PROVISIONAL_NAME: Final = "Unité légale"  # + " <siren>"
# Lambert-93 extent of metropolitan France (Corsica included), in metres. INSEE gives the
# coordinates of overseas establishments in local projections: they fall outside.
LAMBERT93_X: Final = (50_000.0, 1_300_000.0)
LAMBERT93_Y: Final = (6_000_000.0, 7_150_000.0)
COORDINATE_DECIMALS: Final = 6  # about 10 cm
# qualite_xy of the geolocation file -> precision: 11 "voie sûre, numéro trouvé" is the
# address point itself; 33 "voie inconnue, position aléatoire dans la commune" is no better
# than the commune; the others (12, 21, 22: street found, number approximate) and any
# unknown value are an address-level position.
GEOLOCATION_PRECISION: Final = {"11": "exact", "33": "commune"}
# typeVoieEtablissement codes -> words, for a readable address.
STREET_TYPES: Final = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "HAM": "HAMEAU",
    "IMP": "IMPASSE",
    "LD": "LIEU-DIT",
    "LOT": "LOTISSEMENT",
    "MTE": "MONTEE",
    "PASS": "PASSAGE",
    "PL": "PLACE",
    "PRO": "PROMENADE",
    "QUA": "QUARTIER",
    "RES": "RESIDENCE",
    "RLE": "RUELLE",
    "RPT": "ROND-POINT",
    "RTE": "ROUTE",
    "SQ": "SQUARE",
    "TRAV": "TRAVERSE",
    "VLA": "VILLA",
}
_STREET_CODES = pa.array(list(STREET_TYPES))
_STREET_WORDS = pa.array(list(STREET_TYPES.values()))
_TRUE_WORDS = pa.array(["true", "t", "1", "o", "oui", "vrai"])


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    identifier: str
    reason: str


@dataclass(frozen=True)
class Communes:
    """The territory reference as arrays: code, département and centroid of each commune."""

    codes: pa.Array
    departements: pa.Array
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, float, float]]) -> Communes:
        return cls(
            codes=pa.array([r[0] for r in rows], type=pa.string()),
            departements=pa.array([r[1] for r in rows], type=pa.string()),
            lat=np.array([r[2] for r in rows], dtype=np.float64),
            lon=np.array([r[3] for r in rows], dtype=np.float64),
        )

    def locate(self, codes: pa.Array) -> NDArray[np.int64]:
        """Position of each code in the reference; -1 when unknown."""
        found = pc.index_in(codes, value_set=self.codes)
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)

    def departements_of(self, codes: pa.Array, position: NDArray[np.int64]) -> pa.Array:
        """The commune's département, or one derived from the code (2 characters, 3 for
        97x overseas; 2A/2B come out of the code as they are)."""
        derived = pc.if_else(
            pc.starts_with(codes, "97"),
            pc.utf8_slice_codeunits(codes, 0, 3),
            pc.utf8_slice_codeunits(codes, 0, 2),
        )
        if len(self.codes) == 0:
            return derived
        known = pa.array(position >= 0)
        taken = self.departements.take(pa.array(np.maximum(position, 0)))
        return pc.if_else(known, taken, derived)


@dataclass(frozen=True)
class RowFilter:
    """The --departement / --region / --perimeter / --active-only filters (None: all)."""

    departements: pa.Array | None = None
    communes: pa.Array | None = None
    active_only: bool = False

    def mask(
        self, departement: pa.Array, code_commune: pa.Array, active: NDArray[np.bool_]
    ) -> NDArray[np.bool_]:
        keep = np.ones(len(active), dtype=bool)
        if self.departements is not None:
            keep &= to_numpy_bool(pc.is_in(departement, value_set=self.departements))
        if self.communes is not None:
            keep &= to_numpy_bool(pc.is_in(code_commune, value_set=self.communes))
        if self.active_only:
            keep &= active
        return keep


def classified(
    categories: pa.Array,
    ess: pa.Array,
    nafs: pa.Array,
    tranches: pa.Array,
) -> dict[str, pa.Array]:
    """The classification columns of staged organisations."""
    results = classification.classify_many(
        categories.to_pylist(), ess.to_pylist(), nafs.to_pylist(), tranches.to_pylist()
    )
    return {
        "actor_type": pa.array([r.actor_type for r in results], type=pa.string()),
        "ess_family": pa.array([r.ess_family for r in results], type=pa.string()),
        "size_class": pa.array([r.size_class for r in results], type=pa.string()),
        "reason": pa.array([r.reason for r in results], type=pa.string()),
    }


def _take(columns: dict[str, pa.Array], rows: NDArray[np.int64]) -> dict[str, pa.Array]:
    indices = pa.array(rows, type=pa.int64())
    return {name: column.take(indices) for name, column in columns.items()}


def _booleans(values: pa.Array) -> pa.Array:
    """O -> true, N -> false, anything else null."""
    upper = pc.utf8_upper(values)
    return pc.if_else(
        pc.equal(upper, "O"),
        True,
        pc.if_else(pc.equal(upper, "N"), False, pa.scalar(None, pa.bool_())),
    )


# ----------------------------------------------------------------------- establishments


@dataclass
class EstablishmentContext:
    """What preparing an establishment batch needs, and what it accumulates."""

    communes: Communes
    row_filter: RowFilter
    has_nomenclature: bool
    seen: KeySet  # kept SIRETs
    heads: KeySet  # SIRENs whose head office is kept
    file_label: str = "établissements"
    # Whether the kept SIRETs come in increasing order (INSEE sorts its stock so): the
    # staged rows are then in key order already, and the writes need not sort them.
    in_order: bool = True
    last_siret: int = -1


@dataclass(frozen=True)
class PreparedEstablishments:
    rows: pa.Table | None
    head_activities: set[tuple[str, str]]  # (naf, tranche) of head offices
    rejects: list[Reject]


def prepare_establishments(batch: Batch, ctx: EstablishmentContext) -> PreparedEstablishments:
    """Check, filter and convert a batch of the establishments file."""
    columns = dict(batch.columns)
    lines = np.arange(batch.first_line, batch.first_line + batch.length, dtype=np.int64)
    hidden = to_numpy_bool(pc.equal(columns["statutDiffusionEtablissement"], "P"))
    masked = unmask(columns, MASKABLE_ESTABLISHMENT) | hidden
    siret_ok, sirets = valid_siret(columns["siret"])
    siren_ok, sirens = valid_siren(columns["siren"])
    etat = columns["etatAdministratifEtablissement"]
    etat_ok = to_numpy_bool(pc.is_in(etat, value_set=pa.array(["A", "F"])))
    valid = siret_ok & siren_ok & (sirets // 100_000 == sirens) & etat_ok
    codes = columns["codeCommuneEtablissement"]
    position = ctx.communes.locate(codes)
    departement = ctx.communes.departements_of(codes, position)
    active = to_numpy_bool(pc.equal(etat, "A"))
    wanted = ctx.row_filter.mask(departement, codes, active)
    # Invalid rows are reported when the filters would have kept them.
    rejects = [
        Reject(ctx.file_label, int(lines[i]), columns["siret"][i].as_py(), reason)
        for i, reason in _establishment_problems(columns, ~valid & wanted)
    ]
    rows = np.flatnonzero(valid & wanted)
    earlier = ctx.seen.add(sirets[rows], lines[rows])
    for i, line in zip(rows[earlier > 0].tolist(), earlier[earlier > 0].tolist(), strict=True):
        reason = f"SIRET en double dans le fichier (déjà lu ligne {line})"
        rejects.append(Reject(ctx.file_label, int(lines[i]), columns["siret"][i].as_py(), reason))
    rows = rows[earlier == 0]
    if len(rows) == 0:
        return PreparedEstablishments(None, set(), rejects)
    kept = sirets[rows]
    ctx.in_order = ctx.in_order and bool(kept[0] > ctx.last_siret and np.all(kept[1:] > kept[:-1]))
    ctx.last_siret = int(kept[-1])
    columns["departement"] = departement
    staged = _establishment_rows(_take(columns, rows), ctx, position[rows])
    staged["masked"] = pa.array(masked[rows])
    staged["active"] = pa.array(active[rows])
    heads = _first_heads(staged["siege"], sirens[rows], lines[rows], ctx.heads)
    staged["head"] = heads
    staged["search"] = _head_search(staged["name"], heads)
    return PreparedEstablishments(pa.table(staged), _activities(staged, heads), rejects)


def _first_heads(
    siege: pa.Array, sirens: NDArray[np.int64], lines: NDArray[np.int64], seen: KeySet
) -> pa.Array:
    """The head office of each SIREN (the first one read, should INSEE list two)."""
    head = to_numpy_bool(siege)
    rows = np.flatnonzero(head)
    head[rows[seen.add(sirens[rows], lines[rows]) > 0]] = False
    return pa.array(head)


def _head_search(names_: pa.Array, heads: pa.Array) -> pa.Array:
    """Search keys of the head offices' names (used for provisional organisations and
    added to the organisation's); empty for other establishments."""
    keys = _blank(len(names_))
    if not to_numpy_bool(heads).any():
        return keys
    return pc.replace_with_mask(keys, heads, normalize_many(names_.filter(heads)))


def _activities(staged: dict[str, pa.Array], heads: pa.Array) -> set[tuple[str, str]]:
    """The distinct (naf, tranche) of head offices, to classify provisional organisations."""
    table = pa.table({"naf": staged["naf"], "tranche": staged["tranche"]}).filter(heads)
    distinct = table.group_by(["naf", "tranche"]).aggregate([])
    return set(
        zip(distinct.column("naf").to_pylist(), distinct.column("tranche").to_pylist(), strict=True)
    )


def provisional_classes(activities: set[tuple[str, str]]) -> pa.Table:
    """The classification of organisations known only by their head office (no legal
    category), for each (naf, tranche) of head offices."""
    pairs = sorted(activities)
    nafs = pa.array([naf for naf, _ in pairs], type=pa.string())
    tranches = pa.array([tranche for _, tranche in pairs], type=pa.string())
    unknown = pa.nulls(len(pairs), pa.string())
    return pa.table(
        {
            "naf": nafs,
            "tranche": tranches,
            **classified(unknown, pa.nulls(len(pairs), pa.bool_()), nafs, tranches),
        }
    )


def _establishment_problems(
    columns: dict[str, pa.Array], invalid: NDArray[np.bool_]
) -> Iterator[tuple[int, str]]:
    """(row, reason) of each invalid row; stdnum words the SIRET and SIREN problems."""
    for i in np.flatnonzero(invalid).tolist():
        siret = columns["siret"][i].as_py()
        siren = columns["siren"][i].as_py()
        etat = columns["etatAdministratifEtablissement"][i].as_py()
        reason = _identifier_problem("SIRET", siret, 14, stdnum_siret.is_valid)
        reason = reason or _identifier_problem("SIREN", siren, 9, stdnum_siren.is_valid)
        if reason is None and not siret.startswith(siren):
            reason = f"le SIRET « {siret} » ne commence pas par le SIREN « {siren} »"
        if reason is None and etat not in ("A", "F"):
            reason = f"état administratif inconnu « {etat} » (A ou F attendu)"
        yield i, reason or "ligne invalide"


def _identifier_problem(
    kind: str, value: str, width: int, is_valid: Callable[[str], bool]
) -> str | None:
    if not value:
        return f"{kind} absent"
    if not (len(value) == width and value.isascii() and value.isdigit()):
        return f"{kind} mal formé « {value} » ({width} chiffres attendus)"
    if not is_valid(value):
        return f"{kind} invalide « {value} » (clé de contrôle incorrecte)"
    return None


def _establishment_rows(
    columns: dict[str, pa.Array],
    ctx: EstablishmentContext,
    position: NDArray[np.int64],
) -> dict[str, pa.Array]:
    codes = columns["codeCommuneEtablissement"]
    lat, lon, precision = _coordinates(columns, ctx.communes, position)
    nomenclature = columns["nomenclatureActivitePrincipaleEtablissement"]
    return {
        "siret": columns["siret"],
        "siren": columns["siren"],
        "name": truncate(
            first_filled(
                columns["denominationUsuelleEtablissement"], columns["enseigne1Etablissement"]
            ),
            255,
        ),
        "address": truncate(_address(columns), 255),
        "code_postal": truncate(columns["codePostalEtablissement"], 5),
        "code_commune": truncate(codes, 5),
        "commune_id": pc.if_else(pa.array(position >= 0), codes, pa.scalar(None, pa.string())),
        "departement": truncate(columns["departement"], 3),
        "lat": pa.array(lat, from_pandas=True),  # NaN -> null
        "lon": pa.array(lon, from_pandas=True),
        "precision": pa.array(precision, type=pa.string()),
        "naf": naf_rev2(
            columns["activitePrincipaleEtablissement"],
            nomenclature if ctx.has_nomenclature else None,
        ),
        "tranche": truncate(columns["trancheEffectifsEtablissement"], 2),
        "siege": pc.is_in(pc.utf8_lower(columns["etablissementSiege"]), value_set=_TRUE_WORDS),
        "date_creation": iso_dates(columns["dateCreationEtablissement"]),
    }


def _address(columns: dict[str, pa.Array]) -> pa.Array:
    street_type = columns["typeVoieEtablissement"]
    known = pc.index_in(street_type, value_set=_STREET_CODES)
    street_type = pc.if_else(pc.is_valid(known), _STREET_WORDS.take(known), street_type)
    street = join_words(
        columns["numeroVoieEtablissement"],
        columns["indiceRepetitionEtablissement"],
        street_type,
        columns["libelleVoieEtablissement"],
    )
    return join_words(street, columns["complementAdresseEtablissement"], separator=", ")


def _in_lambert93_extent(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):  # NaN compares false
        inside_x = (x >= LAMBERT93_X[0]) & (x <= LAMBERT93_X[1])
        return np.asarray(inside_x & (y >= LAMBERT93_Y[0]) & (y <= LAMBERT93_Y[1]), dtype=bool)


def _coordinates(
    columns: dict[str, pa.Array], communes: Communes, position: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.str_]]:
    """Lambert-93 converted to WGS84 (precision "address"), else the commune's centroid
    ("commune"), else nothing ("none")."""
    x = decimals(columns["coordonneeLambertAbscisseEtablissement"])
    y = decimals(columns["coordonneeLambertOrdonneeEtablissement"])
    overseas = to_numpy_bool(pc.starts_with(columns["departement"], "97"))
    metropolitan = _in_lambert93_extent(x, y) & ~overseas
    lat = np.full(len(x), np.nan)
    lon = np.full(len(x), np.nan)
    if metropolitan.any():
        lon[metropolitan], lat[metropolitan] = geo.lambert93_to_wgs84(
            x[metropolitan], y[metropolitan]
        )
    centroid = ~metropolitan & (position >= 0)
    lat[centroid] = communes.lat[position[centroid]]
    lon[centroid] = communes.lon[position[centroid]]
    precision = np.where(metropolitan, "address", np.where(centroid, "commune", "none"))
    return (
        np.round(lat, COORDINATE_DECIMALS),
        np.round(lon, COORDINATE_DECIMALS),
        precision,
    )


# ----------------------------------------------------------------------- legal units


@dataclass
class LegalUnitContext:
    kept_sirens: NDArray[np.int64]  # sorted
    has_nomenclature: bool
    seen: KeySet
    file_label: str = "unités légales"


def prepare_legal_units(
    batch: Batch, ctx: LegalUnitContext
) -> tuple[pa.Table | None, list[Reject]]:
    """The legal units of kept establishments, converted; duplicates rejected."""
    ok, sirens = digits_of(batch["siren"], 9)
    rows = np.flatnonzero(ok & member_of(sirens, ctx.kept_sirens))
    lines = np.arange(batch.first_line, batch.first_line + batch.length, dtype=np.int64)
    earlier = ctx.seen.add(sirens[rows], lines[rows])
    rejects = [
        Reject(ctx.file_label, int(lines[i]), batch["siren"][i].as_py(), _duplicate(line))
        for i, line in zip(rows[earlier > 0].tolist(), earlier[earlier > 0].tolist(), strict=True)
    ]
    rows = rows[earlier == 0]
    if len(rows) == 0:
        return None, rejects
    columns = _take(batch.columns, rows)
    person_hidden = pc.or_(
        pc.equal(columns["nomUniteLegale"], MASKED), pc.equal(columns["prenom1UniteLegale"], MASKED)
    )
    masked = unmask(columns, [c for c in LEGAL_UNIT_OPTIONAL if not c.startswith("statut")])
    masked |= to_numpy_bool(pc.equal(columns["statutDiffusionUniteLegale"], "P"))
    staged = _legal_unit_columns(columns, person_hidden, ctx)
    staged["masked"] = pa.array(masked)
    staged |= classified(
        staged["categorie_juridique"],
        staged["ess"],
        staged["naf"],
        staged["tranche"],
    )
    staged["search"] = normalize_many(join_words(staged["name"], staged["acronym"]))
    return pa.table(staged), rejects


def _duplicate(line: int) -> str:
    return f"unité légale en double dans le fichier (déjà lue ligne {line})"


def _legal_unit_columns(
    columns: dict[str, pa.Array], person_hidden: pa.Array, ctx: LegalUnitContext
) -> dict[str, pa.Array]:
    siren = columns["siren"]
    person = join_words(pc.utf8_title(columns["prenom1UniteLegale"]), columns["nomUniteLegale"])
    person = pc.if_else(person_hidden, MASKED_PERSON_NAME, person)
    provisional = pc.binary_join_element_wise(PROVISIONAL_NAME, siren, " ")
    nomenclature = columns["nomenclatureActivitePrincipaleUniteLegale"]
    return {
        "siren": siren,
        "name": truncate(
            first_filled(columns["denominationUniteLegale"], person, provisional), 255
        ),
        "acronym": truncate(columns["sigleUniteLegale"], 100),
        "categorie_juridique": truncate(columns["categorieJuridiqueUniteLegale"], 4),
        "ess": _booleans(columns["economieSocialeSolidaireUniteLegale"]),
        "societe_mission": _booleans(columns["societeMissionUniteLegale"]),
        "date_creation": iso_dates(columns["dateCreationUniteLegale"]),
        "active": pc.not_equal(columns["etatAdministratifUniteLegale"], "C"),
        "tranche": truncate(columns["trancheEffectifsUniteLegale"], 2),
        "naf": naf_rev2(
            columns["activitePrincipaleUniteLegale"],
            nomenclature if ctx.has_nomenclature else None,
        ),
        "rna": truncate(columns["identifiantAssociationUniteLegale"], 10),
    }


# ----------------------------------------------------------------------- geolocation


@dataclass
class GeolocationContext:
    kept_sirets: NDArray[np.int64]  # sorted
    seen: KeySet


def prepare_geolocation(batch: Batch, ctx: GeolocationContext) -> pa.Table | None:
    """WGS84 positions of kept establishments (the first row of a SIRET wins)."""
    ok, sirets = digits_of(batch["siret"], 14)
    lat = decimals(batch["y_latitude"])
    lon = decimals(batch["x_longitude"])
    with np.errstate(invalid="ignore"):
        placed = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    rows = np.flatnonzero(ok & placed & member_of(sirets, ctx.kept_sirets))
    rows = rows[ctx.seen.add(sirets[rows], rows + batch.first_line) == 0]
    if len(rows) == 0:
        return None
    quality = batch["qualite_xy"].take(pa.array(rows)).to_pylist()
    return pa.table(
        {
            "siret": batch["siret"].take(pa.array(rows)),
            "lat": pa.array(np.round(lat[rows], COORDINATE_DECIMALS)),
            "lon": pa.array(np.round(lon[rows], COORDINATE_DECIMALS)),
            "precision": pa.array(
                [GEOLOCATION_PRECISION.get(q, "address") for q in quality], type=pa.string()
            ),
        }
    )
