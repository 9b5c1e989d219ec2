"""Demo projects (`ptce load-demo`): for each of the five real demo hubs of `ptce.poles.demo`,
strategy axes and a project led by a member, with partners, a budget, a funding plan (several
sources and public levels, some received) and milestones. Éoliennes en Pays de Vilaine gets
"Parc éolien citoyen" (slug `parc-eolien-citoyen`), Culture et Coopération "Rénovation du
cinéma Le France" (slug `renovation-cinema-le-france`): `ptce.financing.demo` attaches the
citizen campaigns to them. Amounts, dates and funders' decisions are fictitious.

Idempotent: a hub whose project exists is left alone. Returns {label: number created}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from ptce.actors.models import Organisation
from ptce.core.choices import Visibility
from ptce.poles.models import Pole
from ptce.projects import services
from ptce.projects.models import Project, StrategyAxis

# A funding line: (source, funder, public level, planned €, status, received €).
Fund = tuple[str, str, str, int, str, int]
# A milestone: (title, due on, progress %, done).
Step = tuple[str, str, int, bool]


@dataclass(frozen=True)
class DemoProject:
    hub: str
    axes: tuple[tuple[str, str], ...]
    slug: str
    title: str
    summary: str
    description: str
    objectives: str
    status: str
    starts_on: str
    ends_on: str
    budget: tuple[tuple[str, str, int], ...]  # label, category, euros
    funding: tuple[Fund, ...]
    milestones: tuple[Step, ...]
    results: tuple[tuple[str, str, str], ...] = field(default=())  # text, figure, unit


NOTE = " Données de démonstration : montants, dates et décisions des financeurs sont fictifs."

PROJECTS = (
    DemoProject(
        "pole-sud-groupe-archer",
        (
            ("Filière cuir et chaussure", "Relocaliser la fabrication et ses savoir-faire."),
            ("Formation et emploi", "Former aux métiers de la piqûre et du montage."),
        ),
        "atelier-mutualise-de-piqure",
        "Atelier mutualisé de piqûre",
        "Un atelier de piqûre partagé par les fabricants du pôle.",
        "Les fabricants de Romans mettent en commun un atelier de piqûre équipé, ouvert aux "
        "entreprises du pôle et aux stagiaires du centre de formation." + NOTE,
        "Produire 15 000 paires par an localement ; former 12 piqueuses et piqueurs par an.",
        "in_progress",
        "2025-09-01",
        "2027-06-30",
        (
            ("Machines à piquer et à monter", "equipment", 180_000),
            ("Aménagement du local", "investment", 90_000),
            ("Encadrement technique (2 ans)", "staff", 120_000),
            ("Communication « Made in Romans »", "communication", 30_000),
        ),
        (
            (
                "public_subsidy",
                "Région (subvention fictive)",
                "region",
                120_000,
                "received",
                60_000,
            ),
            ("public_subsidy", "Union européenne — FEDER (fictif)", "eu", 80_000, "granted", 0),
            (
                "public_subsidy",
                "Département (subvention fictive)",
                "departement",
                40_000,
                "received",
                40_000,
            ),
            ("self_financing", "", "", 60_000, "received", 60_000),
            ("bank_loan", "Banque coopérative (fictive)", "", 100_000, "granted", 0),
            ("foundation", "Fondation des savoir-faire drômois", "", 20_000, "requested", 0),
        ),
        (
            ("Étude de faisabilité", "2025-10-31", 100, True),
            ("Achat des machines", "2026-03-31", 100, True),
            ("Ouverture de l'atelier", "2026-09-30", 80, False),
            ("Première promotion formée", "2027-06-30", 20, False),
        ),
        (("Paires fabriquées à l'atelier", "2400", "paires"),),
    ),
    DemoProject(
        "eoliennes-en-pays-de-vilaine",
        (
            ("Énergies renouvelables citoyennes", "Des parcs détenus par les habitants."),
            ("Sobriété énergétique", "Consommer moins et mieux sur le territoire."),
        ),
        "parc-eolien-citoyen",
        "Parc éolien citoyen",
        "Quatre éoliennes financées par l'épargne des habitants du pays de Vilaine.",
        "Le premier parc éolien citoyen : quatre éoliennes à Béganne, dont le capital est "
        "détenu par plus de 700 habitants et des collectivités du territoire." + NOTE,
        "Produire l'équivalent de la consommation électrique de 8 000 foyers ; garder les "
        "bénéfices sur le territoire.",
        "completed",
        "2010-01-01",
        "2014-06-30",
        (
            ("Éoliennes (4 machines)", "equipment", 9_600_000),
            ("Génie civil et raccordement", "investment", 1_800_000),
            ("Études et développement", "services", 600_000),
        ),
        (
            ("citizen_campaign", "Épargne des habitants", "", 1_800_000, "received", 1_800_000),
            ("bank_loan", "Pool bancaire (fictif)", "", 8_400_000, "received", 8_400_000),
            (
                "solidarity_finance",
                "Fonds d'investissement citoyen (fictif)",
                "",
                1_000_000,
                "received",
                1_000_000,
            ),
            (
                "public_subsidy",
                "Région (subvention fictive)",
                "region",
                500_000,
                "received",
                500_000,
            ),
            ("public_subsidy", "État — ADEME (fictif)", "state", 200_000, "received", 200_000),
            (
                "public_subsidy",
                "Communauté de communes (fictive)",
                "epci",
                100_000,
                "received",
                100_000,
            ),
        ),
        (
            ("Permis de construire", "2011-06-30", 100, True),
            ("Campagne d'épargne des habitants", "2013-06-30", 100, True),
            ("Mise en service", "2014-06-30", 100, True),
        ),
        (("Production annuelle", "22000", "MWh"), ("Habitants actionnaires", "742", "personnes")),
    ),
    DemoProject(
        "culture-et-cooperation",
        (
            ("Lieux culturels coopératifs", "Reprendre et faire vivre des lieux."),
            ("Mutualisation", "Partager les fonctions support des structures culturelles."),
        ),
        "renovation-cinema-le-france",
        "Rénovation du cinéma Le France",
        "La grande salle du cinéma coopératif rénovée avec ses spectateurs.",
        "Le cinéma Le France, repris en SCIC, rénove sa grande salle : fauteuils, "
        "accessibilité, projection et isolation." + NOTE,
        "Accueillir 20 % de spectateurs en plus ; rendre toute la salle accessible.",
        "in_progress",
        "2026-01-15",
        "2027-09-30",
        (
            ("Fauteuils et gradins", "equipment", 260_000),
            ("Accessibilité et sécurité", "investment", 180_000),
            ("Isolation et chauffage", "investment", 140_000),
            ("Maîtrise d'œuvre", "services", 70_000),
        ),
        (
            ("public_subsidy", "État — CNC (fictif)", "state", 150_000, "granted", 0),
            (
                "public_subsidy",
                "Région (subvention fictive)",
                "region",
                120_000,
                "received",
                60_000,
            ),
            ("public_subsidy", "Ville (subvention fictive)", "commune", 80_000, "received", 80_000),
            (
                "public_subsidy",
                "Département (subvention fictive)",
                "departement",
                50_000,
                "refused",
                0,
            ),
            ("citizen_campaign", "Sociétaires de la SCIC", "", 150_000, "requested", 0),
            ("self_financing", "", "", 70_000, "received", 70_000),
            ("bank_loan", "Banque coopérative (fictive)", "", 80_000, "granted", 0),
        ),
        (
            ("Diagnostic du bâtiment", "2026-02-28", 100, True),
            ("Appel aux sociétaires", "2026-12-31", 40, False),
            ("Travaux de la grande salle", "2027-06-30", 0, False),
        ),
    ),
    DemoProject(
        "eco-domaine-de-bouquetot-ecopya",
        (
            ("Agriculture et alimentation", "Transformer et vendre localement."),
            ("Éco-construction", "Bâtir avec les matériaux du territoire."),
        ),
        "legumerie-partagee",
        "Légumerie partagée",
        "Une légumerie pour transformer les récoltes des fermes du domaine.",
        "Une légumerie-conserverie partagée par les producteurs bio du domaine, qui fournit "
        "la restauration collective du territoire." + NOTE,
        "Transformer 60 tonnes de légumes par an ; fournir 8 cantines.",
        "preparation",
        "2026-04-01",
        "2027-12-31",
        (
            ("Bâtiment en ossature bois", "investment", 210_000),
            ("Équipement de transformation", "equipment", 95_000),
            ("Animation de la filière", "staff", 45_000),
        ),
        (
            ("public_subsidy", "Union européenne — LEADER (fictif)", "eu", 90_000, "granted", 0),
            ("public_subsidy", "Région (subvention fictive)", "region", 70_000, "requested", 0),
            (
                "public_subsidy",
                "Communauté de communes (fictive)",
                "epci",
                30_000,
                "received",
                15_000,
            ),
            (
                "foundation",
                "Fondation pour l'alimentation durable (fictive)",
                "",
                40_000,
                "granted",
                0,
            ),
            ("self_financing", "", "", 50_000, "received", 50_000),
            ("solidarity_finance", "Prêt d'honneur solidaire (fictif)", "", 30_000, "requested", 0),
        ),
        (
            ("Étude de marché auprès des cantines", "2026-06-30", 100, True),
            ("Permis de construire", "2026-12-31", 60, False),
            ("Premières livraisons", "2027-12-31", 0, False),
        ),
    ),
    DemoProject(
        "initiatives-et-cite",
        (
            ("Fonction commerciale commune", "Vendre ensemble les services des membres."),
            ("Ressources humaines", "Qualifier et fidéliser les salariés."),
        ),
        "plateforme-commerciale-commune",
        "Plateforme commerciale commune",
        "Une offre commune des entreprises solidaires pour les acheteurs publics et privés.",
        "Les entreprises solidaires du pôle répondent ensemble aux marchés : une chargée "
        "d'affaires commune, un catalogue et un outil de devis partagés." + NOTE,
        "Doubler le chiffre d'affaires réalisé en commun ; 10 marchés publics remportés.",
        "in_progress",
        "2025-01-01",
        "2026-12-31",
        (
            ("Chargée d'affaires (2 ans)", "staff", 110_000),
            ("Catalogue et site", "communication", 25_000),
            ("Outil de devis partagé", "services", 15_000),
        ),
        (
            (
                "public_subsidy",
                "Métropole (subvention fictive)",
                "epci",
                50_000,
                "received",
                50_000,
            ),
            ("public_subsidy", "État — DREETS (fictif)", "state", 40_000, "received", 20_000),
            ("self_financing", "", "", 40_000, "received", 30_000),
            ("foundation", "Fondation d'entreprise (fictive)", "", 20_000, "granted", 0),
        ),
        (
            ("Recrutement de la chargée d'affaires", "2025-03-31", 100, True),
            ("Catalogue commun en ligne", "2025-09-30", 100, True),
            ("Dix réponses communes à des marchés", "2026-12-31", 70, False),
        ),
        (("Marchés remportés en commun", "7", "marchés"),),
    ),
)


def _members(pole: Pole) -> list[Organisation]:
    """Current members, the one the demo member account speaks for first."""
    members = list(
        Organisation.objects.filter(memberships__pole=pole, memberships__left_on__isnull=True)
        .distinct()
        .order_by("name", "pk")
    )
    spoken = set(
        Organisation.objects.filter(
            pk__in=[m.pk for m in members], affiliations__user__email__startswith="membre."
        ).values_list("pk", flat=True)
    )
    return [m for m in members if m.pk in spoken] + [m for m in members if m.pk not in spoken]


def _build_one(spec: DemoProject) -> dict[str, int]:
    pole = Pole.objects.filter(slug=spec.hub).first()
    if pole is None or Project.objects.filter(pole=pole, slug=spec.slug).exists():
        return {}
    members = _members(pole)
    axes = []
    for title, description in spec.axes:
        axis = StrategyAxis.objects.filter(pole=pole, title=title).first()
        axes.append(
            axis or services.create_axis(None, pole=pole, title=title, description=description)
        )
    lead = members[0] if members else None
    partners: list[Any] = [(m, "Partenaire") for m in members[1:4]]
    project = services.create_project(
        None,
        pole=pole,
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        description=spec.description,
        objectives=spec.objectives,
        axis=axes[0],
        lead_organisation=lead,
        partners=partners,
        perimeter=pole.perimeter,
        territory=pole.commune.nom if pole.commune_id else "",
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        status=spec.status,
        visibility=Visibility.PUBLIC,
        is_demo=True,
    )
    for i, (label, category, euros) in enumerate(spec.budget, start=1):
        services.add_budget_line(
            None, project=project, label=label, category=category, amount_cents=euros * 100, order=i
        )
    for i, (source, funder, level, planned, status, received) in enumerate(spec.funding, start=1):
        services.add_funding_line(
            None,
            project=project,
            source=source,
            funder=funder,
            public_level=level,
            planned_cents=planned * 100,
            status=status,
            received_cents=received * 100,
            order=i,
        )
    for i, (title, due_on, progress, done) in enumerate(spec.milestones, start=1):
        services.add_milestone(
            None,
            project=project,
            title=title,
            due_on=due_on,
            progress=progress,
            done=done,
            done_on=due_on if done else None,
            order=i,
        )
    for i, (text, figure, unit) in enumerate(spec.results, start=1):
        services.add_result(None, project=project, text=text, figure=figure, unit=unit, order=i)
    return {
        "projets": 1,
        "lignes de financement": len(spec.funding),
        "jalons": len(spec.milestones),
    }


@transaction.atomic
def build() -> dict[str, int]:
    created: dict[str, int] = {}
    for spec in PROJECTS:
        for label, count in _build_one(spec).items():
            created[label] = created.get(label, 0) + count
    return created
