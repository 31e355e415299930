"""The outcomes registry: every column of the time series, with its unit, how it aggregates over
a run, whether the territory panel carries it, and its name in English and French.

``sim.metrics`` builds its arrays, frames and summary from this registry, and Mesa's
DataCollector reports every entry; the experiments' reduction and report, the dashboard and the
tests can read names, units and labels here instead of keeping their own lists. A leaf module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Aggregation(StrEnum):
    """How a monthly column adds up over a run."""

    STOCK = "stock"            # a level each month (jobs, enterprises): read the last month
    RATE = "rate"              # money a month (sales): read the last month, or sum for a total
    FLOW = "flow"              # what happened in the month (entries, exits): sum the months
    CUMULATIVE = "cumulative"  # already a running total (public cost): read the last month


@dataclass(frozen=True)
class Outcome:
    key: str
    unit: str
    aggregation: Aggregation
    en: str
    fr: str
    panel: bool = False  # also in the territory panel (month × territory)

    def label(self, language: str) -> str:
        return getattr(self, language)


_S, _R, _F, _C = Aggregation.STOCK, Aggregation.RATE, Aggregation.FLOW, Aggregation.CUMULATIVE

OUTCOMES: tuple[Outcome, ...] = (
    Outcome("ess_jobs_permanent", "jobs", _S, "ESS permanent jobs", "Emplois ESS permanents",
            panel=True),
    Outcome("ess_jobs_insertion", "jobs", _S, "Insertion jobs", "Emplois d'insertion",
            panel=True),
    Outcome("ess_jobs_adapted", "jobs", _S, "Adapted jobs", "Emplois adaptés (EA/ESAT)",
            panel=True),
    Outcome("ess_jobs_total", "jobs", _S, "ESS jobs (total)", "Emplois ESS (total)", panel=True),
    Outcome("ess_enterprises", "enterprises", _S, "ESS enterprises", "Entreprises de l'ESS",
            panel=True),
    Outcome("ess_scaled_up", "enterprises", _S, "Scale-ups", "Changements d'échelle"),
    Outcome("ess_scaled_up_regional", "enterprises", _S, "Scale-ups: regional footprint",
            "Changements d'échelle : implantation régionale"),
    Outcome("ess_scaled_up_national", "enterprises", _S, "Scale-ups: national swarming",
            "Changements d'échelle : essaimage national"),
    Outcome("ess_acquired", "enterprises", _S, "ESS structures acquired by a firm",
            "Structures ESS rachetées par une entreprise"),
    Outcome("ess_entries", "enterprises/month", _F, "ESS entries", "Créations de structures ESS"),
    Outcome("ess_failures", "enterprises/month", _F, "ESS failures",
            "Défaillances de structures ESS"),
    Outcome("ess_closures", "enterprises/month", _F,
            "ESS closures other than failure (retirement, dissolution, merger)",
            "Fermetures de structures ESS hors défaillance (retraite, dissolution, fusion)"),
    Outcome("insertion_entries", "persons/month", _F, "Insertion entries",
            "Entrées en insertion"),
    Outcome("insertion_exits", "persons/month", _F, "Insertion exits", "Sorties d'insertion"),
    Outcome("insertion_exits_employment", "persons/month", _F, "Insertion exits to employment",
            "Sorties d'insertion vers l'emploi", panel=True),
    Outcome("insertion_exits_durable", "persons/month", _F,
            "Insertion exits to durable employment", "Sorties d'insertion vers l'emploi durable"),
    Outcome("industrial_jobs", "jobs", _S, "Industrial jobs", "Emplois industriels", panel=True),
    Outcome("industrial_vacancies_filled_by_insertion", "posts/month", _F,
            "Industrial vacancies filled by insertion graduates",
            "Postes industriels pourvus par des sortants d'insertion"),
    Outcome("ess_industry_ties", "ties", _S, "ESS–industry ties", "Liens ESS–industrie",
            panel=True),
    Outcome("ess_feedstock_won_t", "t/month", _R, "Waste feedstock won by ESS collectors (t)",
            "Gisements captés par les collecteurs de l'ESS (t)"),
    Outcome("ess_feedstock_lots_t", "t/month", _R, "Waste feedstock from consortium lots (t)",
            "Gisements issus de lots de consortiums (t)"),
    Outcome("ess_sales_eur", "€/month", _R, "ESS sales (€/month)", "Ventes de l'ESS (€/mois)"),
    Outcome("ess_procurement_sales_eur", "€/month", _R, "ESS public-contract sales (€/month)",
            "Ventes de l'ESS sur marchés publics (€/mois)"),
    Outcome("reserved_awards_eur", "€/month", _R, "Reserved lots awarded (€)",
            "Marchés réservés attribués (€)"),
    Outcome("mean_rent_ess_eur_m2", "€/m²/yr", _S, "Mean rent paid by the ESS (€/m²/yr)",
            "Loyer moyen payé par l'ESS (€/m²/an)", panel=True),
    Outcome("ess_floor_m2", "m²", _S, "ESS floor space (m²)", "Surfaces occupées par l'ESS (m²)"),
    Outcome("trust_floor_m2", "m²", _S, "Floor leased from land trusts (m²)",
            "Surfaces louées aux foncières solidaires (m²)"),
    Outcome("ess_debt_eur", "€", _S, "ESS debt (€)", "Dette de l'ESS (€)"),
    Outcome("insertion_fte_per_meur_ei", "FTE per M€ of sales/yr", _S,
            "Insertion FTE per M€ of output, insertion enterprises (EI)",
            "ETP d'insertion par M€ de production, entreprises d'insertion (EI)"),
    Outcome("insertion_fte_per_meur_aci", "FTE per M€ of sales/yr", _S,
            "Insertion FTE per M€ of output, insertion workshops (ACI)",
            "ETP d'insertion par M€ de production, ateliers et chantiers d'insertion (ACI)"),
    Outcome("adapted_jobs_per_meur_ea", "jobs per M€ of sales/yr", _S,
            "Adapted jobs per M€ of output, adapted enterprises (EA)",
            "Emplois adaptés par M€ de production, entreprises adaptées (EA)"),
    Outcome("ess_machines_eur", "€", _S, "ESS automation equipment (€)",
            "Équipements d'automatisation de l'ESS (€)"),
    Outcome("implant_floor_m2", "m²", _S, "Floor of industrial hosts used by implants (m²)",
            "Surfaces d'industriels occupées en implant (m²)"),
    Outcome("ess_share_industrial_jobs", "share", _S, "ESS share of industrial jobs",
            "Part de l'ESS dans l'emploi industriel"),
    Outcome("vat_forgone_eur", "€/month", _F, "VAT forgone (€)", "TVA non perçue (€)"),
    Outcome("public_cost_baseline_eur", "€", _C, "Baseline public cost to date (€)",
            "Coût public de référence cumulé (€)"),
    Outcome("public_cost_eur", "€", _C, "Public cost to date (€)", "Coût public cumulé (€)",
            panel=True),
)
# Who pays the public cost (the ledger's public sectors): the baseline's aid and every lever's
# spending or forgone revenue, each booked against its payer. The départements pay only their
# share of the reserved lots' premium (``sim.policies.reserved_markets``); the model has no
# social-security account: public hospitals' purchases are booked with the State, as the OECP
# counts them ("État et secteur hospitalier").
PAYERS = {
    "state": ("the State", "l'État"),
    "regions": ("the Regions", "les Régions"),
    "departements": ("the départements", "les départements"),
    "intercommunalities": ("intercommunalities and communes", "les intercommunalités et communes"),
    "public_investment_bank": ("the public investment bank", "la banque publique d'investissement"),
}


# Levers whose public cost is revenue forgone, not money spent (a tax expenditure, borne by the
# State): wherever a public cost is split (the dashboard's lines, the design's payers) it is
# shown apart, inside the State's share.
TAX_EXPENDITURES = ("impact_vat",)


def payer_cost(payer: str) -> str:
    """The time-series column of the public cost to date borne by one payer (€, cumulative);
    the payers' columns add up to ``public_cost_eur``."""
    return f"cost_to_{payer}_eur"


OUTCOMES += tuple(
    Outcome(payer_cost(key), "€", _C, f"Public cost to date borne by {en} (€)",
            f"Coût public cumulé à la charge de {fr} (€)")
    for key, (en, fr) in PAYERS.items())
BY_KEY = {outcome.key: outcome for outcome in OUTCOMES}
TOTAL = "public_cost_eur"  # the sum of the baseline's and every lever's public cost


def lever_cost(lever: str) -> str:
    """The time-series column of a lever's public cost to date (€, cumulative); the
    ``public_cost_eur`` total includes it."""
    return f"public_cost_{lever}_eur"


def recorded() -> tuple[str, ...]:
    """The time-series columns metrics records month by month (the total is derived)."""
    return tuple(o.key for o in OUTCOMES if o.key != TOTAL)


def panel() -> tuple[str, ...]:
    """The territory panel's columns."""
    return tuple(o.key for o in OUTCOMES if o.panel)


def of(aggregation: Aggregation) -> tuple[str, ...]:
    return tuple(o.key for o in OUTCOMES if o.aggregation == aggregation)
