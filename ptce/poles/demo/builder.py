"""Demo data for `ptce load-demo`: the five real hubs of DOMAIN.md, generated hubs all over
France, and one account per role.

What is true and what is not:

* The five real hubs carry only the facts of DOMAIN.md ("Known hubs"): their commune, what
  the table says (stated in their French description) and the characterisation that follows
  directly from it. The carrier's legal form and the creation date are not given there, so
  they stay unknown (the décret's first condition then reads "unknown", which is honest);
  the one exception is Culture et Coopération, "cooperating since 2005".
* Every member organisation is invented and says so at the end of its name ("(fictif)",
  "(fictive)"); communes and intercommunalités keep their real name and say "(adhésion
  fictive)"; the cinema Le France keeps its real name (DOMAIN.md: taken over as a SCIC) and
  gets no invented identifier nor legal category. Invented organisations get valid (Luhn)
  SIREN/SIRET numbers drawn at random: they may exist in the real register, hence the mark.
* Generated hubs end with "(démo)" and are `is_demo`; so are the real hubs here, since their
  member lists are invented (open data must not publish them as real).

Idempotent: a hub whose slug exists is left as it is (each run is one transaction, so a hub
is either whole or absent), an account whose e-mail exists is reused, roles are granted
once. Deterministic: fixed seeds. Every write goes through the services with the system
user (None).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn

from ptce.actors import services as actor_services
from ptce.actors.models import ActorType, EssFamily, Establishment, Organisation
from ptce.core import services as core_services
from ptce.core.choices import Role
from ptce.core.models import User
from ptce.poles import services as pole_services
from ptce.poles.demo.data import (
    BIG_EPCI,
    BIG_EPCI_RADIUS_KM,
    COLLECTIVE_REASON,
    COLLEGE_OF_FAMILY,
    COLLEGES,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    EPCI_CATEGORIES,
    FAMILY_WEIGHTS,
    GENERATED_HUBS,
    GENERIC,
    KIND_CHOICES,
    KINDS,
    NOTE_REAL,
    OBSERVER,
    OVERSEAS_SHARE,
    REAL_HUBS,
    REAL_NAMES,
    SCIC_REASON,
    SEED,
    SHARED_KINDS,
    STAFF,
    THEMES,
    RealHub,
    ReferenceMissing,
    Theme,
    de,
    mark,
    rows,
)
from ptce.poles.models import (
    College,
    Dynamic,
    Impulse,
    MemberRole,
    Membership,
    Pole,
    PoleRole,
    Specificity,
)
from ptce.territories.models import Commune, Epci, Perimeter

# ---------------------------------------------------------------------- the reference


@dataclass
class Reference:
    """The current communes, as arrays, for weighted draws without one query per pick."""

    codes: list[str]
    names: list[str]
    population: np.ndarray
    departement: list[str]
    region: list[str]
    epci: list[str | None]
    postal: list[str]
    lat: list[float]
    lon: list[float]
    epcis: dict[str, tuple[str, str, int]]  # code -> (nom, type, population)
    position: dict[str, int] = field(default_factory=dict)
    by_departement: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Reference:
        columns = "code_insee nom population departement_id region_id epci_id codes_postaux lat lon"
        rows_ = list(Commune.objects.current().order_by("code_insee").values_list(*columns.split()))
        if not rows_:
            raise ReferenceMissing(
                "Le référentiel des territoires n'est pas chargé : lancez d'abord "
                "« ptce load-territories », puis « ptce load-demo »."
            )
        codes = [r[0] for r in rows_]
        ref = cls(
            codes=codes,
            names=[r[1] for r in rows_],
            population=np.array([r[2] for r in rows_], dtype=np.float64),
            departement=[r[3] for r in rows_],
            region=[r[4] for r in rows_],
            epci=[r[5] for r in rows_],
            postal=[(r[6].split() or [""])[0] for r in rows_],
            lat=[r[7] for r in rows_],
            lon=[r[8] for r in rows_],
            epcis={e.code: (e.nom, e.type, e.population) for e in Epci.objects.all()},
        )
        ref.position = {code: i for i, code in enumerate(codes)}
        for i, dep in enumerate(ref.departement):
            ref.by_departement.setdefault(dep, []).append(i)
        missing = [h for h in REAL_HUBS if h.commune not in ref.position]
        if missing:
            raise ReferenceMissing(
                "Commune(s) introuvable(s) dans le référentiel des territoires : "
                + ", ".join(f"{h.commune} ({h.name})" for h in missing)
                + ". Chargez le référentiel complet : « ptce load-territories »."
            )
        return ref

    def name(self, code: str) -> str:
        return self.names[self.position[code]]


# ------------------------------------------------------------------------- the build


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)  # table -> rows created
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # login, role, hub


COUNTED: dict[str, Any] = {
    "pôles": Pole,
    "périmètres": Perimeter,
    "organisations": Organisation,
    "établissements": Establishment,
    "adhésions": Membership,
    "collèges": College,
    "comptes": User,
    "rôles": PoleRole,
}


@transaction.atomic
def build(*, generated_hubs: int = GENERATED_HUBS, seed: int = SEED) -> Report:
    """Create what is missing of the demo (see the module docstring); report what was
    created and the demo logins."""
    ref = Reference.load()
    before = {label: model.objects.count() for label, model in COUNTED.items()}
    builder = _Builder(ref, seed)
    report = Report()
    staff = builder.account(STAFF[0], STAFF[1], STAFF[2], staff=True)
    report.accounts.append((staff.email, "équipe de la plateforme (staff)", "tous les pôles"))
    for hub in REAL_HUBS:
        pole = Pole.objects.filter(slug=hub.slug).first() or builder.real_hub(hub)
        report.accounts.extend(builder.hub_accounts(hub, pole))
    for spec in builder.generated_specs(generated_hubs):
        if not Pole.objects.filter(slug=spec["slug"]).exists():
            builder.generated_hub(spec)
    report.created = {
        label: model.objects.count() - before[label] for label, model in COUNTED.items()
    }
    return report


class _Builder:
    def __init__(self, ref: Reference, seed: int) -> None:
        self.ref = ref
        self.seed = seed
        self.today = timezone.localdate()

    # ----------------------------------------------------------------- accounts

    def account(self, login: str, first: str, last: str, *, staff: bool = False) -> User:
        email = f"{login}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = core_services.create_user(
                None,
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_staff=staff,
            )
            if staff:
                core_services.update_user(None, user=user, is_superuser=True)
        return user

    def hub_accounts(self, hub: RealHub, pole: Pole) -> list[tuple[str, str, str]]:
        (cf, cl), (mf, ml) = hub.people
        coordinator = self.account(f"coordination.{hub.key}", cf, cl)
        pole_services.grant_role(None, pole=pole, user=coordinator, role=Role.COORDINATOR)
        member = self.account(f"membre.{hub.key}", mf, ml)
        pole_services.grant_role(None, pole=pole, user=member, role=Role.MEMBER)
        speaks_for = next(r for r in rows(hub.members) if "compte" in r.notes)
        organisation = (
            Organisation.objects.filter(
                memberships__pole=pole, name=mark(self._fill(speaks_for.name, hub), speaks_for.kind)
            )
            .distinct()
            .first()
        )
        accounts = [
            (coordinator.email, Role.COORDINATOR.label, pole.name),
            (member.email, f"{Role.MEMBER.label}", pole.name),
        ]
        if organisation is not None:
            _affiliate(member, organisation)
            accounts[-1] = (member.email, f"{Role.MEMBER.label} ({organisation.name})", pole.name)
        if OBSERVER[0] == hub.key:
            observer = self.account(f"{OBSERVER[1]}.{hub.key}", OBSERVER[2], OBSERVER[3])
            pole_services.grant_role(None, pole=pole, user=observer, role=Role.OBSERVER)
            accounts.append((observer.email, f"{Role.OBSERVER.label} (financeur)", pole.name))
        return accounts

    # ---------------------------------------------------------------- real hubs

    def _fill(self, name: str, hub: RealHub) -> str:
        code = hub.commune
        epci = self.ref.epci[self.ref.position[code]]
        return name.format(
            de_commune=de(self.ref.name(code)),
            epci=self.ref.epcis[epci][0] if epci else "",
            postal=self.ref.postal[self.ref.position[code]],
        )

    def real_hub(self, hub: RealHub) -> Pole:
        rng = random.Random(f"{self.seed}:{hub.slug}")
        facts = {k: self._fill(v, hub) if isinstance(v, str) else v for k, v in hub.facts.items()}
        pole = pole_services.create_pole(
            None,
            name=hub.name,
            slug=hub.slug,
            description=hub.description + NOTE_REAL,
            commune=hub.commune,
            is_demo=True,
            **facts,
        )
        inside = self._perimeter(pole, hub.commune, hub.radius_km)
        for row in rows(hub.members):
            name = mark(self._fill(row.name, hub), row.kind)
            code = (
                hub.commune
                if row.kind in {"commune", "epci"}
                else self._establishment_commune(
                    rng, inside, hub.commune, outside="hors" in row.notes
                )
            )
            organisation = self._organisation(rng, name, row.kind, row.naf, row.tranche, code)
            joined = _day(rng, row.joined, after=pole.created_on)
            self._member(
                pole,
                organisation,
                row.kind,
                joined,
                founder="fondateur" in row.notes,
                left=_day(rng, row.left, after=joined) if row.left else None,
            )
        return pole

    # ----------------------------------------------------------- generated hubs

    def generated_specs(self, count: int) -> list[dict[str, Any]]:
        """Which communes get a generated hub: a quota per région (metropolitan ones by
        population, at least two each when there is room; a few overseas), then communes
        drawn with probability proportional to population inside each région."""
        ref = self.ref
        if count <= 0:
            return []
        rng = np.random.default_rng(self.seed)
        real = {h.commune for h in REAL_HUBS}
        eligible = np.array(
            [c not in real and p > 0 for c, p in zip(ref.codes, ref.population, strict=True)]
        )
        region = np.array(ref.region)
        totals = {r: float(ref.population[(region == r) & eligible].sum()) for r in set(ref.region)}
        overseas = {r: w for r, w in totals.items() if r < "10" and w > 0}
        metro = {r: w for r, w in totals.items() if r >= "10" and w > 0}
        n_over = min(len(overseas), round(count * OVERSEAS_SHARE)) if overseas else 0
        quotas = _allocate(count - n_over, metro, minimum=2) | _allocate(n_over, overseas, 1)
        picks: list[int] = []
        for r in sorted(quotas):
            idx = np.flatnonzero((region == r) & eligible)
            k = min(quotas[r], len(idx))
            if k:
                weights = ref.population[idx] / ref.population[idx].sum()
                picks.extend(int(i) for i in rng.choice(idx, size=k, replace=False, p=weights))
        specs = []
        for n, i in enumerate(picks):
            theme = THEMES[int(rng.integers(len(THEMES)))]
            label = theme.hub_names[int(rng.integers(len(theme.hub_names)))]
            name = f"{label} {de(ref.names[i])} (démo)"
            slug = f"{slugify(name)[:58].strip('-')}-{slugify(ref.codes[i])}"
            specs.append({"n": n, "code": ref.codes[i], "theme": theme, "name": name, "slug": slug})
        return specs

    def generated_hub(self, spec: dict[str, Any]) -> Pole:
        ref, theme, code = self.ref, spec["theme"], spec["code"]
        rng = random.Random(f"{self.seed}:{spec['slug']}")
        place = ref.name(code)
        epci = ref.epci[ref.position[code]]
        territory = ref.epcis[epci][0] if epci else place
        created = _day(rng, rng.randint(2008, self.today.year - 2))
        legal_form = (
            "scic_sas"
            if spec["n"] == 0
            else rng.choices(
                ["association", "scic_sas", "scic_sarl", "scop", "gie", "none", ""],
                weights=[50, 10, 6, 6, 5, 10, 13],
            )[0]
        )
        shared = rng.random() < 0.35
        pole = pole_services.create_pole(
            None,
            name=spec["name"],
            slug=spec["slug"],
            description=(
                f"Pôle fictif, généré pour la démonstration : il structure {theme.pitch} sur "
                f"son territoire ({territory}). Ses membres sont inventés ; les collectivités "
                "citées existent mais leur adhésion est fictive."
            ),
            commune=code,
            is_demo=True,
            legal_form=legal_form,
            created_on=created,
            impulse=rng.choices(Impulse.values, weights=[45, 30, 25])[0],
            dynamic=theme.dynamic if rng.random() < 0.75 else rng.choice(Dynamic.values),
            objectives=rng.sample(theme.objectives, rng.randint(1, min(3, len(theme.objectives)))),
            specificities=rng.sample(Specificity.values, rng.randint(1, 3)),
            maturity=rng.choices(["emerging", "consolidating", "mature"], [40, 35, 25])[0],
            naf_sections=sorted(rng.sample(theme.sections, rng.randint(1, len(theme.sections)))),
            shared_place=shared,
            shared_place_name=f"{theme.place} {de(place)}" if shared else "",
            shared_place_address=f"{ref.postal[ref.position[code]]} {place}" if shared else "",
            common_strategy_formalised=rng.choice([True, True, False, None]),
            long_term_commitment=rng.choice([True, True, False, None]),
            pooled_resources=rng.choice([True, True, None]),
            tags=list(theme.tags),
        )
        epci_code = epci if epci and ref.epcis[epci][2] <= BIG_EPCI else None
        inside = self._perimeter(pole, code, None if epci_code else BIG_EPCI_RADIUS_KM, epci_code)
        colleges = []
        if legal_form.startswith("scic"):
            colleges = pole_services.set_colleges(None, pole=pole, colleges=COLLEGES)
        leaves = rng.random() < 0.25  # a first member who left: history
        used: set[str] = set()
        for index, (family, kind) in enumerate(self._slots(rng, leaves)):
            for attempt in range(10):
                public = kind in {"commune", "epci"}  # local authorities of the perimeter
                where = (
                    code
                    if public and attempt == 0
                    else self._establishment_commune(
                        rng, inside, code, outside=not public and rng.random() < 0.1
                    )
                )
                if kind == "epci" and attempt > 0:
                    kind = "commune"  # the intercommunalité is a member already
                name, naf, kind = self._generated_name(rng, theme, kind, where, used)
                if name not in used:
                    break
            else:
                continue
            used.add(name)
            tranche = rng.choice(["", "NN", "00", "01", "02", "03", "11", "12"])
            if kind in {"commune", "epci", "collectif"}:
                tranche = ""  # an authority's staff are no jobs of the hub; unknown
            organisation = self._organisation(rng, name, kind, naf, tranche, where)
            joined = (
                created
                if index < 3
                else _day(rng, rng.randint(created.year, self.today.year - 1), after=created)
            )
            left = None
            if leaves and index == 0:
                left = _day(rng, min(joined.year + 3, self.today.year), after=joined)
            self._member(
                pole,
                organisation,
                kind,
                joined,
                founder=index < 3,
                left=left,
                college=colleges[COLLEGE_OF_FAMILY[family]] if colleges else None,
            )
        return pole

    def _slots(self, rng: random.Random, leaves: bool) -> list[tuple[str, str]]:
        """(family, kind) of each member: 5-12 current ones, the three roles of the décret
        first (one is missing in about one hub in eight), after a first member who left
        when `leaves`."""
        families = ["ess", "enterprise", "article9"]
        if rng.random() < 0.12:
            families.remove(rng.choice(families))
        pool = {f: w for f, w in FAMILY_WEIGHTS.items() if f in families or f == "other"}
        count = rng.randint(5, 12)
        families += rng.choices(list(pool), weights=list(pool.values()), k=count - len(families))
        if leaves:
            families.insert(0, rng.choices(list(pool), weights=list(pool.values()))[0])
        slots = []
        for family in families:
            kinds, weights = KIND_CHOICES[family]
            slots.append((family, rng.choices(kinds, weights=weights)[0]))
        return slots

    def _generated_name(
        self, rng: random.Random, theme: Theme, kind: str, code: str, used: set[str]
    ) -> tuple[str, str, str]:
        """(marked name, NAF, kind) of a generated member established in `code`; an activity
        already in `used` (names and activities of the hub's members) is avoided."""
        ref = self.ref
        place = ref.name(code)
        naf = KINDS[kind].naf
        epci = ref.epci[ref.position[code]]
        if kind == "epci" and not epci:
            kind = "commune"
        if kind == "commune":
            base = f"Commune {de(place)}"
        elif kind == "epci":
            base = ref.epcis[epci][0]
        elif kind in GENERIC:
            base = f"{rng.choice(GENERIC[kind])} {de(place)}" + (" SARL" if kind == "of" else "")
        else:
            enterprise = KINDS[kind].family == "enterprise"
            choices = theme.enterprises if enterprise else theme.ess
            activity, naf = rng.choice([c for c in choices if c[0] not in used] or choices)
            used.add(activity)
            if enterprise:
                base = f"{activity} {de(place)} {kind.upper()}"
            else:
                prefix = {"scop": "Scop ", "scic": "SCIC "}.get(kind, "")
                base = f"{prefix}{activity} {de(place)}" + (" SAS" if kind == "esus" else "")
        return mark(base, kind), naf, kind

    # ------------------------------------------------------------------ helpers

    def _perimeter(
        self, pole: Pole, code: str, radius_km: float | None, epci: str | None = None
    ) -> list[str]:
        """Set the hub's perimeter (the EPCI of its commune, or a radius around it) and
        return its commune codes."""
        ref = self.ref
        i = ref.position[code]
        epci = epci or ref.epci[i]
        if radius_km is None and epci:
            definition: dict[str, Any] = {"epci": [epci]}
            name = ref.epcis[epci][0]
        elif radius_km is not None:
            definition = {"radii": [{"lat": ref.lat[i], "lon": ref.lon[i], "km": radius_km}]}
            name = f"{ref.names[i]} et {radius_km:g} km alentour"
        else:
            definition, name = {"communes": [code]}, ref.names[i]
        perimeter = pole_services.set_perimeter(None, pole=pole, definition=definition, name=name)
        return list(perimeter.communes.values_list("code_insee", flat=True))

    def _establishment_commune(
        self, rng: random.Random, inside: Sequence[str], home: str, *, outside: bool
    ) -> str:
        """A commune of the perimeter, drawn by population (the hub's own weighs more), or
        for `outside` one of the same département outside it."""
        ref = self.ref
        if outside:
            ins = set(inside)
            dep = ref.departement[ref.position[home]]
            candidates = [ref.codes[i] for i in ref.by_departement[dep] if ref.codes[i] not in ins]
            if candidates:
                return _weighted(rng, candidates, lambda c: ref.population[ref.position[c]])
        return _weighted(
            rng, inside, lambda c: ref.population[ref.position[c]] * (3 if c == home else 1)
        )

    def _siren(self, rng: random.Random) -> str:
        while True:
            body = str(rng.randrange(10**7, 10**8))
            siren = body + luhn.calc_check_digit(body)
            if not Organisation.objects.filter(siren=siren).exists():
                return siren

    def _organisation(
        self, rng: random.Random, name: str, kind: str, naf: str, tranche: str, code: str
    ) -> Organisation:
        """A member organisation: authorities and real names are shared between hubs,
        invented ones are new, with a SIREN (but collectives) and one establishment."""
        spec = KINDS[kind]
        if kind in SHARED_KINDS:
            existing = Organisation.objects.filter(name=name, siren__isnull=True).first()
            if existing is not None:
                return existing
        category = spec.categorie_juridique
        if kind == "epci":
            epci = self.ref.epci[self.ref.position[code]]
            category = EPCI_CATEGORIES[self.ref.epcis[epci][1]] if epci else "7210"
        siren = "" if kind in SHARED_KINDS or kind == "collectif" else self._siren(rng)
        organisation = actor_services.create_organisation(
            None,
            name=name,
            siren=siren,
            categorie_juridique=category,
            naf=naf or spec.naf,
            tranche_effectifs=tranche,
            ess=spec.ess,
        )
        if kind == "scic_reelle":
            actor_services.declare_actor_type(
                None,
                organisation=organisation,
                actor_type=ActorType.ESS,
                ess_family=EssFamily.COOPERATIVE,
                reason=SCIC_REASON,
            )
        nic = f"{rng.randint(1, 99):04d}"
        actor_services.add_establishment(
            None,
            organisation=organisation,
            siret=siren + nic + luhn.calc_check_digit(siren + nic) if siren else "",
            code_commune=code,
            code_postal=self.ref.postal[self.ref.position[code]],
            siege=True,
        )
        return organisation

    def _member(
        self,
        pole: Pole,
        organisation: Organisation,
        kind: str,
        joined: dt.date,
        *,
        founder: bool,
        left: dt.date | None,
        college: College | None = None,
    ) -> Membership:
        declared = {}
        if kind == "collectif":
            declared = {
                "actor_type_override": ActorType.OTHER,
                "actor_type_reason": COLLECTIVE_REASON,
            }
        membership = pole_services.add_member(
            None,
            pole=pole,
            organisation=organisation,
            role=MemberRole.FOUNDER if founder else MemberRole.MEMBER,
            joined_on=joined,
            college=college,
            **declared,
        )
        if left is not None:
            pole_services.end_membership(None, membership=membership, left_on=left)
        return membership


# ------------------------------------------------------------------------ utilities


def _affiliate(user: User, organisation: Organisation) -> None:
    """The demo member speaks for one member organisation."""
    actor_services.affiliate(None, user=user, organisation=organisation)


def _day(rng: random.Random, year: int, *, after: dt.date | None = None) -> dt.date:
    """A day of `year`, not before `after` nor after today."""
    today = timezone.localdate()
    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    if after is not None and day < after:
        day = after + dt.timedelta(days=rng.randint(0, 60))
    return min(day, today)


def _weighted(rng: random.Random, items: Sequence[str], weight: Callable[[str], float]) -> str:
    weights = [float(weight(c)) + 1.0 for c in items]
    return rng.choices(list(items), weights=weights)[0]


def _allocate(total: int, weights: dict[str, float], minimum: int) -> dict[str, int]:
    """Split `total` between keys proportionally to `weights` (largest remainder), giving
    each key at least `minimum` when there is room for it."""
    if total <= 0 or not weights:
        return {}
    floor = minimum if total >= minimum * len(weights) else 0
    rest = total - floor * len(weights)
    whole = sum(weights.values())
    shares = {k: rest * w / whole for k, w in weights.items()}
    quotas = {k: floor + int(s) for k, s in shares.items()}
    left = total - sum(quotas.values())
    for k in sorted(shares, key=lambda k: (-(shares[k] - int(shares[k])), k))[:left]:
        quotas[k] += 1
    return quotas


def summary(report: Report) -> list[str]:
    """The lines `load-demo` prints: what was created, then the logins."""
    if any(report.created.values()):
        done = "Créé : " + ", ".join(f"{n} {label}" for label, n in report.created.items()) + "."
    else:
        done = "Démonstration déjà chargée : rien de nouveau."
    width = max(len(a[0]) for a in report.accounts)
    role_width = max(len(a[1]) for a in report.accounts)
    lines = [
        done,
        f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})",
        f"  {'identifiant':{width}}  {'rôle':{role_width}}  pôle",
    ]
    lines += [f"  {a:{width}}  {b:{role_width}}  {c}" for a, b, c in report.accounts]
    return lines


__all__ = [
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "REAL_HUBS",
    "REAL_NAMES",
    "ReferenceMissing",
    "Report",
    "build",
    "summary",
]
