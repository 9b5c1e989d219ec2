"""The tables of the demo: the five real hubs, the themes and names of generated hubs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ptce.poles.models import (
    Dynamic,
    Impulse,
    Objective,
)

DEMO_PASSWORD = "demo-ptce-2026"  # noqa: S105 - printed on purpose, demo only
DEMO_DOMAIN = "demo.ptce.invalid"
SEED = 2026
GENERATED_HUBS = 150
BIG_EPCI = 450_000  # above this population a generated hub's perimeter is a radius instead
BIG_EPCI_RADIUS_KM = 8.0
OVERSEAS_SHARE = 0.04
COLLECTIVE_REASON = "Collectif citoyen informel, sans personnalité morale ni SIREN."
NOTE_REAL = (
    "\n\nDonnées de démonstration : seuls les faits ci-dessus sont réels. Les organisations "
    "membres sont inventées (« fictif », « fictive ») ; les collectivités citées existent "
    "mais leur adhésion est fictive."
)


class ReferenceMissing(Exception):
    """The territory reference is not loaded (or lacks a commune the demo needs)."""


# ------------------------------------------------------------------ organisation kinds


@dataclass(frozen=True)
class Kind:
    categorie_juridique: str  # INSEE level III; "" for none
    naf: str  # default NAF rév. 2 code
    ess: bool | None = None  # the register's ESS flag, when the category does not say it
    family: str = "ess"  # role in the hub: ess, enterprise, article9, other


KINDS: dict[str, Kind] = {
    "asso": Kind("9220", "94.99Z"),  # association déclarée
    "insertion": Kind("9221", "88.99B"),  # association d'insertion par l'économique
    "ai": Kind("9222", "78.30Z"),  # association intermédiaire
    "ge": Kind("9223", "78.30Z"),  # groupement d'employeurs
    "scop": Kind("5458", "43.39Z"),  # SARL SCOP
    "scop_sa": Kind("5558", "43.39Z"),  # SA SCOP
    "scic": Kind("5460", "35.11Z"),  # SCIC SARL (autre SARL coopérative)
    "scic_sa": Kind("5560", "58.11Z"),  # SCIC SA (autre SA coopérative)
    "esus": Kind("5710", "82.99Z", ess=True),  # SAS of the ESS (ESS flag)
    "mutuelle": Kind("8210", "65.12Z"),
    "mutuelle_assurance": Kind("6411", "65.12Z"),
    "fondation": Kind("9300", "88.99B"),
    "sarl": Kind("5499", "43.32A", family="enterprise"),
    "sas": Kind("5710", "43.32A", family="enterprise"),
    "earl": Kind("6598", "01.13Z", family="enterprise"),
    "gaec": Kind("6533", "01.41Z", family="enterprise"),
    "of": Kind("5499", "85.59A", family="article9"),  # private training body
    "lycee": Kind("7331", "85.32Z", family="article9"),  # EPLE, vocational lycée
    "univ": Kind("7383", "85.42Z", family="article9"),
    "labo": Kind("7389", "72.19Z", family="article9"),  # public research body
    "commune": Kind("7210", "84.11Z", family="article9"),
    "epci": Kind("", "84.11Z", family="article9"),  # category from the EPCI's type
    "collectif": Kind("", "", family="other"),  # informal: no SIREN, no legal personality
    "scic_reelle": Kind("", "59.14Z"),  # a real SCIC whose form is not known: declared
}
EPCI_CATEGORIES = {"CC": "7346", "CA": "7348", "CU": "7343", "METRO": "7344", "MET69": "7344"}
SHARED_KINDS = frozenset({"commune", "epci", "scic_reelle"})  # real names, no invented SIREN
_FEMININE_WORDS = (
    "Agence AMAP Assurance Auberge Base Blanchisserie Boulangerie Boutique Brasserie Centrale "
    "Charpente Commune Compagnie Conciergerie Conserverie Crèche Cuisine Épicerie Exploitation "
    "Fabrique Ferme Filature Fondation Imprimerie Installation Librairie Location Maison "
    "Manufacture Maroquinerie Mercerie Minoterie Mutuelle Menuiserie Plateforme Recyclerie "
    "Ressourcerie Régie Salle SCIC Scierie Scop Station Tannerie Teinturerie"
)
FEMININE = frozenset(_FEMININE_WORDS.split())  # head words that take "(fictive)"


def de(name: str) -> str:
    """`de Rennes`, `d'Angers`, `du Mans`, `des Herbiers`, `de La Rochelle`."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÉÈÊÂÎÔ":
        return "d'" + name
    return "de " + name


def mark(name: str, kind: str) -> str:
    """The name with its fictitious mark (real names of authorities: "adhésion fictive")."""
    if kind == "scic_reelle":
        return name
    if kind in {"commune", "epci"}:
        return f"{name} (adhésion fictive)"
    return f"{name} (fictive)" if name.split()[0] in FEMININE else f"{name} (fictif)"


# ------------------------------------------------------------------------ real hubs


@dataclass(frozen=True)
class Row:
    kind: str
    naf: str
    tranche: str
    joined: int
    notes: tuple[str, ...]
    name: str

    @property
    def left(self) -> int | None:
        found = [int(n.split(":")[1]) for n in self.notes if n.startswith("sortie:")]
        return found[0] if found else None


def rows(table: str) -> list[Row]:
    """`kind | naf | tranche | joined | notes | name` lines; notes: fondateur, hors (an
    establishment outside the perimeter), sortie:YYYY (left that year), compte (the
    organisation the hub's demo member speaks for)."""
    parsed = []
    for line in table.strip().splitlines():
        kind, naf, tranche, joined, notes, name = (c.strip() for c in line.split("|"))
        parsed.append(Row(kind, naf, tranche, int(joined), tuple(notes.split()), name))
    return parsed


@dataclass(frozen=True)
class RealHub:
    key: str  # in the demo logins
    slug: str
    name: str
    commune: str
    radius_km: float | None  # None: the perimeter is the EPCI of the commune
    description: str
    facts: dict[str, Any]
    members: str
    people: tuple[tuple[str, str], tuple[str, str]]  # coordinator, member (first, last)


REAL_HUBS = (
    RealHub(
        "archer",
        "pole-sud-groupe-archer",
        "Pôle Sud / Groupe Archer",
        "26281",
        None,
        "Pôle territorial de coopération économique de Romans-sur-Isère (Drôme), né d'une "
        "impulsion entrepreneuriale. Il a relancé une fabrication de chaussures éthique, avec "
        "des matières et des savoir-faire locaux : « Made in Romans ».",
        {
            "impulse": Impulse.ENTREPRENEURIAL,
            "dynamic": Dynamic.SECTOR,
            "objectives": [Objective.SECTOR, Objective.TAKEOVER],
            "specificities": ["local_resources", "anchoring"],
            "naf_sections": ["C"],
            "tags": ["chaussure", "cuir", "Made in Romans"],
        },
        """
        scop      | 15.20Z | 11 | 2014 | fondateur compte | Atelier coopératif de la chaussure romanaise
        sas       | 15.20Z | 12 | 2014 | fondateur        | Manufacture de chaussures du Dauphiné SAS
        sarl      | 15.11Z | 03 | 2015 |                  | Tannerie des bords de l'Isère SARL
        insertion | 15.12Z | 11 | 2015 |                  | Atelier d'insertion cuir et couture
        scic      | 47.72A | 02 | 2016 |                  | Boutique coopérative des savoir-faire romanais
        sarl      | 15.12Z | 03 | 2017 |                  | Maroquinerie de la Drôme des collines SARL
        sas       | 46.24Z | 02 | 2017 |                  | Négoce de cuirs et peaux de la vallée du Rhône SAS
        esus      | 15.20Z | 02 | 2018 |                  | Semelle circulaire SAS
        asso      | 94.99Z | 01 | 2015 |                  | Association pour la mémoire des métiers du cuir
        of        | 85.59A | 02 | 2016 |                  | Centre de formation piqûre et montage SARL
        lycee     | 85.32Z | 21 | 2019 |                  | Lycée professionnel des métiers du cuir
        labo      | 72.19Z | 11 | 2020 |                  | Laboratoire des matériaux souples biosourcés
        commune   | 84.11Z |    | 2014 |                  | Commune {de_commune}
        epci      | 84.11Z |    | 2015 |                  | {epci}
        mutuelle  | 65.12Z | 03 | 2019 |                  | Mutuelle des artisans du cuir
        fondation | 88.99B | 01 | 2021 |                  | Fondation des savoir-faire drômois
        asso      | 94.99Z | 00 | 2022 | hors             | Réseau des créateurs de mode éthique
        sarl      | 15.20Z | 03 | 2014 | sortie:2019      | Piqûre et montage romanais SARL
        collectif |        |    | 2023 |                  | Collectif d'habitants pour la chaussure locale
        """,
        (("Alex", "Morel"), ("Dominique", "Faure")),
    ),
    RealHub(
        "vilaine",
        "eoliennes-en-pays-de-vilaine",
        "Éoliennes en Pays de Vilaine",
        "56011",
        None,
        "Éoliennes en Pays de Vilaine, à Béganne (Morbihan), a réalisé le premier parc éolien "
        "citoyen : l'épargne locale de plus de 700 particuliers a réuni 1,8 M€ (2013).",
        {
            "impulse": Impulse.CITIZEN,
            "dynamic": Dynamic.SECTOR,
            "objectives": [Objective.SOCIAL_INNOVATION, Objective.POOLING],
            "specificities": ["local_financing", "involvement", "local_resources"],
            "maturity": "mature",
            "naf_sections": ["D"],
            "pooled_resources": True,
            "tags": ["éolien citoyen", "épargne locale", "énergies renouvelables"],
        },
        """
        esus      | 35.11Z | 01 | 2009 | fondateur        | Énergies citoyennes de la Vilaine SAS
        scic      | 35.11Z | 01 | 2012 | compte           | SCIC Soleil partagé du pays de Redon
        asso      | 94.99Z | 00 | 2008 | fondateur        | Association des épargnants éoliens de la Vilaine
        collectif |        |    | 2009 |                  | Club d'investisseurs citoyens de Béganne
        asso      | 71.12B | 02 | 2011 |                  | Agence locale de l'énergie et du climat
        scop      | 43.21A | 11 | 2013 |                  | Scop Électriciens solidaires de l'Oust
        sarl      | 43.22B | 03 | 2013 |                  | Chauffage bois de la Vilaine SARL
        sas       | 71.12B | 11 | 2012 |                  | Bureau d'études vent et soleil SAS
        sarl      | 33.14Z | 02 | 2014 |                  | Levage et maintenance éolienne SARL
        sas       | 02.20Z | 03 | 2016 |                  | Plaquettes bois du pays de Redon SAS
        mutuelle_assurance | 65.12Z | 12 | 2016 |       | Assurance mutuelle des énergies locales
        fondation | 88.99B | 01 | 2018 |                  | Fondation pour la transition du pays de Redon
        of        | 85.59A | 02 | 2017 |                  | Centre de formation aux énergies renouvelables SARL
        univ      | 85.42Z |    | 2019 |                  | Institut universitaire des énergies de l'Ouest
        commune   | 84.11Z |    | 2008 | fondateur        | Commune {de_commune}
        epci      | 84.11Z |    | 2012 |                  | {epci}
        asso      | 85.59B | 02 | 2015 |                  | Éducation à l'environnement Vilaine et Oust
        asso      | 94.99Z | 00 | 2020 | hors             | Réseau breton de l'énergie citoyenne
        sas       | 35.11Z | 01 | 2010 | sortie:2020      | Développement éolien Bretagne Sud SAS
        """,
        (("Maëlle", "Le Goff"), ("Yann", "Guého")),
    ),
    RealHub(
        "culture",
        "culture-et-cooperation",
        "Culture et Coopération",
        "42218",
        None,
        "Culture et Coopération, à Saint-Étienne (Loire), réunit une vingtaine de structures "
        "des arts et de la culture qui coopèrent depuis 2005. Le pôle a repris le cinéma "
        "Le France sous forme de SCIC.",
        {
            "dynamic": Dynamic.SECTOR,
            "objectives": [Objective.SECTOR, Objective.TAKEOVER, Objective.POOLING],
            "specificities": ["diversity"],
            "maturity": "mature",
            "naf_sections": ["R", "J"],
            "created_on": dt.date(2005, 1, 1),
            "long_term_commitment": True,
            "tags": ["arts", "culture", "cinéma"],
        },
        """
        scic_reelle | 59.14Z |  | 2012 |                | Cinéma Le France (SCIC)
        asso      | 90.01Z | 02 | 2005 | fondateur compte | Compagnie théâtrale du Furan
        asso      | 90.01Z | 01 | 2005 | fondateur        | Ensemble de musiques actuelles stéphanois
        scop      | 90.02Z | 11 | 2005 | fondateur        | Scop Régie lumière et son
        asso      | 90.03A | 00 | 2006 |                  | Atelier d'artistes du Crêt de Roc
        asso      | 90.04Z | 03 | 2007 |                  | Salle de spectacles associative La Fabrique
        asso      | 59.11B | 01 | 2008 |                  | Atelier vidéo de quartier
        scic_sa   | 58.11Z | 02 | 2009 |                  | Maison d'édition coopérative du Forez
        esus      | 90.02Z | 03 | 2010 |                  | Agence de production artistique solidaire SAS
        asso      | 85.52Z | 11 | 2008 |                  | École de musique populaire
        asso      | 93.29Z | 01 | 2012 |                  | Festival des arts de la rue
        sarl      | 59.11B | 03 | 2011 |                  | Studio de production audiovisuelle SARL
        sas       | 77.39Z | 11 | 2013 |                  | Location de matériel scénique SAS
        sarl      | 47.61Z | 02 | 2014 |                  | Librairie du centre SARL
        sas       | 18.12Z | 11 | 2012 |                  | Imprimerie stéphanoise SAS
        labo      | 72.20Z | 11 | 2015 |                  | Laboratoire de recherche sur les industries culturelles
        of        | 85.59A | 02 | 2016 |                  | Centre de formation aux métiers du spectacle SARL
        commune   | 84.11Z |    | 2005 | fondateur        | Commune {de_commune}
        epci      | 84.11Z |    | 2010 |                  | {epci}
        mutuelle  | 65.12Z | 11 | 2017 |                  | Mutuelle des artistes et techniciens
        asso      | 94.99Z | 00 | 2018 | hors             | Réseau régional des lieux culturels
        asso      | 90.01Z | 01 | 2006 | sortie:2014      | Compagnie de danse du Pilat
        """,
        (("Inès", "Berthet"), ("Lucas", "Jacquemond")),
    ),
    RealHub(
        "ecopya",
        "eco-domaine-de-bouquetot-ecopya",
        "Éco-domaine de Bouquetot (ECOPYA)",
        "14645",
        None,
        "L'Éco-domaine de Bouquetot (ECOPYA), à Saint-Pierre-Azif (Calvados), est un "
        "écosystème rural : agriculture biologique, énergies renouvelables, éco-construction, "
        "santé naturelle et tourisme vert.",
        {
            "dynamic": Dynamic.MULTI_ACTIVITY,
            "objectives": [Objective.POOLING, Objective.CRITICAL_SIZE],
            "specificities": ["ecosystem", "local_resources", "diversity"],
            "naf_sections": ["A", "D", "F", "I", "Q"],
            "shared_place": True,
            "shared_place_name": "Éco-domaine de Bouquetot",
            "shared_place_address": "{postal} Saint-Pierre-Azif",
            "tags": ["agriculture biologique", "éco-construction", "tourisme vert"],
        },
        """
        earl      | 01.13Z | 01 | 2012 | fondateur        | Ferme maraîchère biologique du domaine EARL
        gaec      | 01.41Z | 01 | 2013 |                  | GAEC des prés de l'Azif
        scic      | 35.11Z | 01 | 2014 |                  | SCIC Énergies du pays d'Auge
        scop      | 43.91B | 11 | 2013 | compte           | Scop Constructions paille et bois
        sarl      | 43.31Z | 02 | 2015 |                  | Enduits terre et chaux SARL
        asso      | 86.90F | 01 | 2014 |                  | Maison de santé naturelle
        sarl      | 55.20Z | 03 | 2016 |                  | Hébergements insolites du pays d'Auge SARL
        asso      | 85.59B | 02 | 2015 |                  | Éducation à la nature et au vivant
        asso      | 01.30Z | 00 | 2017 |                  | Conservatoire des semences paysannes
        sas       | 10.71C | 03 | 2018 |                  | Fournil bio du domaine SAS
        esus      | 47.21Z | 02 | 2019 |                  | Épicerie coopérative du littoral SAS
        of        | 85.59A | 01 | 2017 |                  | Centre de formation à l'éco-construction SARL
        lycee     | 85.32Z | 21 | 2020 |                  | Lycée agricole du pays d'Auge
        labo      | 72.19Z | 11 | 2021 |                  | Station de recherche en agroécologie
        commune   | 84.11Z |    | 2012 | fondateur        | Commune {de_commune}
        epci      | 84.11Z |    | 2016 |                  | {epci}
        collectif |        |    | 2022 |                  | Collectif d'habitants pour un territoire nourricier
        asso      | 94.99Z | 00 | 2019 | hors             | Réseau normand des écolieux
        sarl      | 81.30Z | 02 | 2014 | sortie:2021      | Paysagiste écologique SARL
        """,
        (("Hélène", "Lemarchand"), ("Paul", "Vautier")),
    ),
    RealHub(
        "initiatives",
        "initiatives-et-cite",
        "Initiatives et Cité",
        "59350",
        6.0,  # Lille and its first ring; the whole Métropole européenne would be too wide
        "Initiatives et Cité, à Lille (Nord), rassemble 16 entreprises solidaires autour d'une "
        "fonction commerciale commune, de la qualification des ressources humaines et de "
        "ressources mutualisées.",
        {
            "dynamic": Dynamic.POOLING,
            "objectives": [Objective.DISTRIBUTION, Objective.POOLING],
            "maturity": "mature",
            "naf_sections": ["N"],
            "pooled_resources": True,
            "tags": ["entreprises solidaires", "vente commune", "ressources humaines"],
        },
        """
        insertion | 81.21Z | 12 | 2010 | fondateur        | Nettoyage solidaire de Fives
        insertion | 38.32Z | 11 | 2010 | fondateur        | Ressourcerie de Lille-Sud
        scop      | 43.34Z | 11 | 2011 |                  | Scop Peinture et rénovation
        scic      | 56.29A | 12 | 2012 |                  | SCIC Restauration solidaire
        ai        | 78.30Z | 21 | 2011 |                  | Association intermédiaire Services et emplois
        ge        | 78.30Z | 03 | 2013 | compte           | Groupement d'employeurs solidaire
        esus      | 82.99Z | 02 | 2014 |                  | Bureau de vente commun SAS
        insertion | 81.30Z | 11 | 2012 |                  | Jardins et espaces verts d'insertion
        asso      | 88.10A | 12 | 2013 |                  | Aide à domicile solidaire
        scop_sa   | 49.42Z | 11 | 2015 |                  | Scop Déménagements solidaires
        insertion | 95.29Z | 03 | 2016 |                  | Atelier vélo d'insertion
        scic_sa   | 62.02A | 03 | 2017 |                  | SCIC Numérique inclusif
        asso      | 14.13Z | 02 | 2016 |                  | Couture et retouches solidaires
        insertion | 10.71C | 03 | 2018 | hors             | Boulangerie d'insertion
        esus      | 41.20A | 11 | 2019 |                  | Bâtiment solidaire SAS
        asso      | 56.10A | 03 | 2020 |                  | Restaurant associatif des Moulins
        sas       | 70.22Z | 02 | 2014 |                  | Cabinet RH et compétences SAS
        sarl      | 46.66Z | 11 | 2015 |                  | Fournitures de bureau du Nord SARL
        of        | 85.59A | 03 | 2013 |                  | Organisme de formation Qualification et emploi SARL
        commune   | 84.11Z |    | 2012 |                  | Commune {de_commune}
        labo      | 72.20Z | 11 | 2018 |                  | Laboratoire de recherche en économie solidaire
        insertion | 96.01B | 11 | 2011 | sortie:2018      | Blanchisserie d'insertion
        """,
        (("Karim", "Benali"), ("Sophie", "Delattre")),
    ),
)
OBSERVER = ("vilaine", "observateur", "Claude", "Mercier")  # a funder, read access
STAFF = ("staff", "Sacha", "Plateforme")
REAL_NAMES = frozenset({"Cinéma Le France (SCIC)"})
SCIC_REASON = (
    "SCIC (société coopérative d'intérêt collectif) qui a repris le cinéma Le France ; "
    "sa forme (SA, SARL ou SAS) n'est pas renseignée."
)


# ------------------------------------------------------------------- generated hubs


@dataclass(frozen=True)
class Theme:
    hub_names: tuple[str, ...]
    pitch: str  # "structure {pitch} sur le territoire ..."
    dynamic: str
    sections: tuple[str, ...]
    objectives: tuple[str, ...]
    place: str  # name of a shared place
    ess: tuple[tuple[str, str], ...]  # (activity, NAF) for ESS members
    enterprises: tuple[tuple[str, str], ...]  # (activity, NAF) for other enterprises
    tags: tuple[str, ...]


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """`Ressourcerie=38.32Z; Atelier vélo=95.29Z` -> ((activity, NAF), ...)."""
    return tuple((a.strip(), b.strip()) for a, b in (p.split("=") for p in text.split(";")))


def themes(table: str) -> tuple[Theme, ...]:
    """Blocks of five lines: hub names; pitch; `dynamic | NAF sections | objectives | shared
    place | tags`; `ESS: activity=NAF; ...`; `entreprises: activity=NAF; ...`."""
    found = []
    for block in table.strip().split("\n\n"):
        names, pitch, profile, ess, enterprises = (line.strip() for line in block.splitlines())
        dynamic, sections, objectives, place, tags = (c.strip() for c in profile.split("|"))
        found.append(
            Theme(
                tuple(n.strip() for n in names.split(";")),
                pitch,
                dynamic,
                tuple(sections.split()),
                tuple(objectives.split()),
                place,
                _pairs(ess.split(":", 1)[1]),
                _pairs(enterprises.split(":", 1)[1]),
                tuple(t.strip() for t in tags.split(";")),
            )
        )
    return tuple(found)


THEMES = themes(
    """
Pôle alimentaire; Coopérative alimentaire; Pôle Bien manger
  une filière alimentaire durable, du champ à l'assiette,
  sector | A C G I | sector distribution critical_size | Halle alimentaire | alimentation; circuits courts
  ESS: Jardins d'insertion=01.13Z; Épicerie solidaire=47.11C; Légumerie=10.39A; Cuisine partagée=56.29A; AMAP=94.99Z
  entreprises: Conserverie=10.39A; Brasserie artisanale=11.05Z; Minoterie=10.61A; Boulangerie=10.71C; Primeur=47.21Z

Pôle réemploi; Fabrique de l'économie circulaire; Pôle zéro déchet
  le réemploi et l'économie circulaire
  sector | E G C | sector social_innovation pooling | Ressourcerie | réemploi; économie circulaire
  ESS: Ressourcerie=38.32Z; Recyclerie=38.32Z; Atelier vélo=95.29Z; Repair café=94.99Z; Textile solidaire=38.32Z
  entreprises: Collecte et tri=38.11Z; Menuiserie de réemploi=16.23Z; Dépôt-vente=47.79Z; Démolition sélective=43.11Z

Pôle éco-construction; Cluster bâtiment durable
  l'éco-construction et la rénovation énergétique
  sector | F C M | sector critical_size pooling | Plateforme des matériaux | éco-construction; rénovation
  ESS: Chantier d'insertion bâtiment=43.39Z; Auto-réhabilitation accompagnée=43.39Z; Scierie coopérative=16.10A; Matériauthèque=47.52B
  entreprises: Menuiserie=43.32A; Charpente=43.91A; Bureau d'études thermiques=71.12B; Architectes associés=71.11Z; Enduits chanvre=43.31Z

Pôle énergies citoyennes; Coopérative énergétique
  la production d'énergies renouvelables par les habitants
  sector | D F | social_innovation pooling sector | Maison de l'énergie | énergies renouvelables; épargne citoyenne
  ESS: Centrale villageoise=35.11Z; Énergie partagée locale=35.11Z; Bois-énergie coopératif=02.20Z; Espace info énergie=94.99Z
  entreprises: Installation photovoltaïque=43.21A; Chauffagiste=43.22B; Bureau d'études énergie=71.12B; Méthanisation agricole=35.21Z

Tiers-lieu; Fabrique numérique; Pôle numérique solidaire
  les usages numériques et le travail partagé
  pooling | J M N | pooling social_innovation | Tiers-lieu | numérique; tiers-lieu
  ESS: Fablab=94.99Z; Médiation numérique=85.59B; Espace de coworking=68.20B; Reconditionnement informatique=95.11Z
  entreprises: Agence web=62.01Z; Conseil informatique=62.02A; Studio graphique=74.10Z; Impression 3D=25.62B

Pôle culturel; Fabrique artistique; Pôle des arts vivants
  la création artistique et les lieux culturels
  sector | R J P | sector visibility pooling | Fabrique culturelle | culture; spectacle vivant
  ESS: Compagnie de théâtre=90.01Z; Salle de musiques actuelles=90.04Z; Cinéma associatif=59.14Z; École de musique=85.52Z; Festival=93.29Z
  entreprises: Studio d'enregistrement=59.20Z; Librairie=47.61Z; Location de matériel scénique=77.39Z; Production audiovisuelle=59.11B

Pôle services à la personne; Pôle solidarités et santé
  les services de proximité, le soin et l'accompagnement
  multi_activity | Q S | social_innovation integrated_group visibility | Maison des services | services; santé; solidarités
  ESS: Aide à domicile=88.10A; Crèche parentale=88.91A; Maison de santé=86.21Z; Conciergerie solidaire=96.09Z; Garage solidaire=45.20A
  entreprises: Pharmacie=47.73Z; Cabinet infirmier=86.90D; Transport de personnes=49.32Z; Blanchisserie=96.01B

Pôle tourisme durable; Pôle écotourisme
  un tourisme durable et de pleine nature
  sector | I R N | sector distribution critical_size | Maison du tourisme | tourisme; nature
  ESS: Gîte d'étape associatif=55.20Z; Base de loisirs nature=93.29Z; Auberge de jeunesse=55.20Z; Sentiers et patrimoine=91.03Z
  entreprises: Camping=55.30Z; Location de vélos=77.21Z; Restaurant=56.10A; Agence de voyages=79.11Z

Pôle textile; Pôle industries relocalisées
  la relocalisation d'activités textiles et industrielles
  sector | C G | takeover sector critical_size | Manufacture partagée | textile; relocalisation
  ESS: Atelier de couture d'insertion=14.13Z; Filature coopérative=13.10Z; Recyclerie textile=38.32Z
  entreprises: Confection=14.13Z; Tissage=13.20Z; Teinturerie=13.30Z; Mercerie=47.51Z

Pôle forêt-bois; Filière bois locale
  une filière bois locale, de la forêt au bâtiment
  sector | A C F | sector takeover pooling | Plateforme bois | forêt; bois
  ESS: Coopérative forestière=02.20Z; Chantier d'insertion forestier=02.40Z; Atelier bois=16.23Z
  entreprises: Scierie=16.10A; Exploitation forestière=02.20Z; Charpente=43.91A; Fabrique de meubles=31.09B

Pôle mobilités solidaires
  des mobilités accessibles à tous
  multi_activity | H N G | social_innovation pooling | Maison de la mobilité | mobilité; insertion
  ESS: Garage solidaire=45.20A; Auto-école sociale=85.53Z; Plateforme de mobilité=94.99Z; Vélo-école=85.51Z
  entreprises: Taxi=49.32Z; Location de véhicules=77.11A; Vélociste=47.64Z; Transport à la demande=49.39A
"""
)
GENERIC = {
    "mutuelle": ("Mutuelle solidaire", "Mutuelle des indépendants"),
    "fondation": ("Fondation pour l'initiative locale", "Fondation des solidarités"),
    "of": ("Centre de formation professionnelle", "Institut de formation aux métiers"),
    "lycee": ("Lycée professionnel", "Lycée des métiers"),
    "labo": ("Laboratoire d'économie territoriale", "Laboratoire de recherche appliquée"),
    "univ": ("Antenne universitaire", "Institut universitaire"),
    "collectif": ("Collectif citoyen", "Collectif d'habitants"),
}
KIND_CHOICES = {  # family -> (kinds, weights)
    "ess": (("asso", "insertion", "scop", "scic", "esus", "mutuelle", "fondation"),
            (40, 12, 14, 12, 10, 6, 6)),
    "enterprise": (("sarl", "sas"), (60, 40)),
    "article9": (("commune", "epci", "of", "lycee", "labo", "univ"), (30, 20, 20, 10, 10, 10)),
    "other": (("collectif",), (1,)),
}  # fmt: skip
FAMILY_WEIGHTS = {"ess": 50, "enterprise": 30, "article9": 15, "other": 5}
COLLEGES = (
    ("Salariés et producteurs", 40),
    ("Usagers et clients", 30),
    ("Collectivités et partenaires", 30),
)
COLLEGE_OF_FAMILY = {"ess": 0, "enterprise": 1, "article9": 2, "other": 2}
