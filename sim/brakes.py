"""The five brakes of the study ("Freins de passage à l'échelle", Banque des Territoires 2024),
each a named parameter set with the mechanism it drives. ``enabled: false`` lifts a brake, which
the tests use to check that each brake holds back the outcome the study says it does.

1. Mutual ignorance — an industrial firm buys only from ESS suppliers it knows (markets/b2b.py).
2. Competition — lower investment capacity raises unit costs; ESS lose price-scored tenders and
   are outbid for good-quality waste feedstock (markets/procurement.py, markets/feedstock.py).
3. Finance — approval depends on profitability, collateral and legal form (markets/credit.py).
4. Premises — growth needs floor space; private landlords prefer conventional tenants; rents follow
   tension (markets/premises.py).
5. Human resources — support-function turnover, skill gaps, and the tension between insertion
   jobs and industrialisation (markets/labour.py, agents/ess.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.spec import param


@dataclass
class MutualIgnorance:
    """Brake 1: firms discover ESS suppliers slowly and buy only from those they know."""

    enabled: bool = param(True, unit="bool", assumption="brake switch")
    discovery_rate_month: float = param(
        0.01, unit="1/month", low=0.0, high=1.0, plausible=(0.003, 0.03),
        assumption="probability a firm discovers one local ESS supplier in a month; the study "
        "reports 'méconnaissance réciproque' without a rate",
    )
    referral_rate_month: float = param(
        0.01, unit="1/month", low=0.0, high=1.0, plausible=(0.0, 0.03),
        assumption="extra discovery probability per existing ESS tie (referrals on the graph)",
    )
    neighbour_share: float = param(
        0.2, unit="share", low=0.0, high=1.0, plausible=(0.05, 0.4),
        assumption="share of discoveries made in a neighbouring territory ('capacité "
        "d'intervention très localisée')",
    )
    initial_ties_per_firm: float = param(
        0.15, unit="ties/firm", low=0.0, high=10.0, plausible=(0.05, 0.5),
        assumption="~1 industrial firm in 7 buys from an ESS supplier at start; ESS are 0.8% of "
        "industrial firms (seed)",
    )
    trust_gain: float = param(
        0.05, unit="trust/month", low=0.0, high=1.0, plausible=(0.02, 0.1),
        assumption="trust gained per month of full delivery",
    )
    trust_decay: float = param(
        0.01, unit="trust/month", low=0.0, high=1.0, plausible=(0.005, 0.03),
        assumption="trust lost per month (ties fade unless fed by deliveries)",
    )
    initial_trust_low: float = param(
        0.3, unit="trust", low=0.0, high=1.0, plausible=(0.2, 0.5),
        assumption="lowest trust of a tie present at start (trust drawn uniformly up to "
        "initial_trust_high)",
    )
    initial_trust_high: float = param(
        0.8, unit="trust", low=0.0, high=1.0, plausible=(0.6, 1.0),
        assumption="highest trust of a tie present at start",
    )
    trust_to_buy: float = param(
        0.2, unit="trust", low=0.0, high=1.0, plausible=(0.1, 0.4),
        assumption="trust a firm needs in a known supplier before it buys from it",
    )
    new_tie_trust: float = param(
        0.3, unit="trust", low=0.0, high=1.0, plausible=(0.2, 0.5),
        assumption="trust of a tie just made (above trust_to_buy: a first order follows)",
    )
    implant_idle_months: int = param(
        12, unit="months", low=1, high=600, plausible=(6, 24),
        assumption="months without an order from its host after which an implant ends (the "
        "host takes back its floor and equipment; the tie stays a supply tie at its trust): an "
        "implant is a service inside a client's plant, kept while the client orders",
    )
    referral_cap: int = param(
        5, unit="ties", low=0, high=100, plausible=(3, 10),
        assumption="existing ESS ties beyond which referrals add no more discovery",
    )
    search_satiation: float = param(
        1.0, unit="share", low=0.0, high=1.0, plausible=(0.5, 1.0),
        assumption="how far a firm's search for new ESS suppliers falls as trusted suppliers "
        "cover its ESS needs by sector: at 1 a firm with a trusted supplier for each need stops "
        "prospecting, at 0 search ignores what it already has (a buyer prospects while unmet "
        "needs remain)",
    )

    stationary_lapse: bool = param(
        False, unit="bool",
        assumption="buyers' supply relationships end at the monthly rate that balances, in the "
        "world of month 0, the fed ties buyers make (discoveries whose supplier has the free "
        "capacity to feed them) against the fed ties they hold (sim.markets.b2b."
        "stationary_tie_lapse: ~3.8%/month in ARA, a relationship of ~2 years; ~3.4-4.5% on the "
        "classroom territory); off, a buyer keeps a supplier it trusts for ever and coverage of "
        "needs climbs over the run (ARA, zero trends: 5% to 20% in ten years, deliveries to "
        "industry x3). With it, coverage stays near its month-0 level (ARA, settled start, 4 "
        "seeds: 4.8% to 5.3%), but that growth was offsetting a decline of the ESS elsewhere; "
        "opt-in because, with it, "
        "ARA at zero trends loses over ten years (8 seeds): permanent jobs -5.6% [-6.8; -4.4], "
        "insertion -12.9% [-15.4; -10.4], adapted -8.4% [-13.9; -2.8], structures -9.9% "
        "[-11.3; -8.5]; with settling_months=36 as well: -3.2%, -8.9%, -6.9%, -8.6%. Alone it "
        "keeps the number of buyers' fed ties, not their orders: tie orders fall -33% in two "
        "years, then hold (ARA, 4 seeds, 3.9 to 2.6 MEUR/month), because the month-0 ties are "
        "fed whatever the buyer's size (start demand includes them) while those discovery keeps "
        "must fit a supplier's free capacity (smaller buyers, smaller needs); with "
        "orders_within_capacity they hold (+6%)",
    )
    orders_within_capacity: bool = param(
        False, unit="bool",
        assumption="a buyer orders from a supplier at most what the supplier can take on (its "
        "capacity left by its other clients, which the buyer learns from it: a first order is "
        "a trial one, sized to the supplier, and grows as the supplier does), and the supplier "
        "counts the buyer's whole share of need as the sales it could make (its demand, which "
        "its growth decision reads); trust then moves with deliveries against what was ordered. "
        "Off, a buyer orders its whole need from a small supplier, which delivers a fraction, "
        "and the tie fades within months (trust falls below trust_to_buy when less than 60% is "
        "delivered), faster than a supplier can grow (growth_step every growth_cooldown_months): "
        "only the ties of month 0, fed by construction, serve large buyers. With "
        "stationary_lapse, ARA at zero trends, 4 seeds: tie orders +6% in ten years (deliveries "
        "+1%) instead of -33%, buyers' mean size 109 to 124 jobs instead of 109 to 85. Opt-in: "
        "ESS stocks still fall (structures -8%, permanent -5%, insertion -4%, adapted -5%)",
    )

    def discovery_probability(self, ties_per_firm: np.ndarray, boost: np.ndarray | float,
                              covered_need: np.ndarray | float = 0.0):
        """Monthly chance that each firm meets a new ESS supplier; ``covered_need`` is the share
        of its ESS needs its trusted suppliers already cover (a satisfied firm stops looking)."""
        if not self.enabled:
            return np.ones_like(ties_per_firm, dtype=float)
        rate = self.discovery_rate_month + self.referral_rate_month * np.minimum(
            ties_per_firm, self.referral_cap)
        searching = 1.0 - self.search_satiation * covered_need
        return np.clip(rate * (1.0 + boost) * searching, 0.0, 1.0)


@dataclass
class Competition:
    """Brake 2: ESS unit costs are higher; they lose price-scored tenders and waste feedstock."""

    enabled: bool = param(True, unit="bool", assumption="brake switch")
    unit_cost_premium: float = param(
        0.15, unit="share", low=0.0, high=2.0, plausible=(0.05, 0.3),
        source="Dares Analyses 2019-005: EI labour productivity 20-40% below conventional firms; "
        "with aid offsetting part of it, a 15% price gap in tenders",
    )

    def price_premium(self) -> float:
        return self.unit_cost_premium if self.enabled else 0.0


@dataclass
class FinanceAccess:
    """Brake 3: banks screen on size, age, profitability, legal form and purpose. The study's
    brake is access to the finance of scaling up ("financements disponibles pour le changement
    d'échelle", "outils d'investissement"), so lifting it (``enabled: false``) opens investment
    loans as to an established commercial SME — legal form, size, age and want of collateral go —
    while a bank still judges viability: a loss-maker is refused more often and nobody is lent
    beyond the debt ceiling (lifting those too would lend to insolvent structures without end: no
    failure at all, debt ×9 in ARA). Treasury credit (overdrafts) keeps its screening: it is not
    what the brake names, and easier overdrafts mostly keep loss-makers alive, sharing the same
    demand among more structures (+18% structures, fewer at industrial scale, 8 seeds)."""

    enabled: bool = param(True, unit="bool", assumption="brake switch")
    base_approval: float = param(
        0.97, unit="probability", low=0.0, high=1.0,
        source="Banque de France 2023: investment loans obtained by SMEs 97% (2012-2020 "
        "average 95%); applies to an established, profitable, commercial applicant",
    )
    small_firm_factor: float = param(
        0.9, unit="multiplier", low=0.0, high=1.0, plausible=(0.85, 0.95),
        source="Banque de France 2023: very small firms (< 10 employees) 87% vs SMEs 97%",
    )
    short_term_factor: float = param(
        0.77, unit="multiplier", low=0.0, high=1.0, plausible=(0.7, 0.9),
        source="Banque de France 2023: treasury credit for very small firms 67% vs investment "
        "credit 87% (2012-2020 averages 69% vs 83%)",
    )
    association_factor: float = param(
        0.7, unit="multiplier", low=0.0, high=1.0, plausible=(0.5, 0.9),
        assumption="associations' approval relative to firms (no equity, subsidy dependence)",
    )
    cooperative_factor: float = param(
        0.85, unit="multiplier", low=0.0, high=1.0, plausible=(0.7, 1.0),
        assumption="cooperatives' approval relative to firms (capital closed to outsiders)",
    )
    young_firm_factor: float = param(
        0.8, unit="multiplier", low=0.0, high=1.0, plausible=(0.6, 1.0),
        assumption="approval of structures under 3 years old relative to older ones (France "
        "Active guarantees young structures more: 65% vs 50%); no survey rate by age",
    )
    loss_penalty: float = param(
        0.5, unit="multiplier", low=0.0, high=1.0, plausible=(0.3, 0.8),
        assumption="approval multiplier for a loss-making applicant (Banque de France 2021: "
        "self-financing capacity is the main determinant of approval); for an overdraft only "
        "once it is already in debt (a first overdraft bridges a dip, the 67% observed)",
    )

    young_months: int = param(
        36, unit="months", low=0, high=240,
        source="Banque de France and France Active distinguish structures under 3 years old",
    )
    small_firm_jobs: int = param(
        10, unit="jobs", low=1, high=1000,
        source="'très petite entreprise' (Insee, Banque de France): fewer than 10 employees",
    )
    loan_spread_yr: float = param(
        0.015, unit="1/yr", low=0.0, high=0.2, plausible=(0.01, 0.03),
        assumption="banks' margin over the scenario's rate on ESS loans",
    )
    overdraft_months: int = param(
        24, unit="months", low=1, high=120, plausible=(12, 36),
        assumption="repayment period of a treasury loan granted for a cash shortfall",
    )
    overdraft_headroom: float = param(
        1.2, unit="multiple of the shortfall", low=1.0, high=5.0, plausible=(1.0, 1.5),
        assumption="a treasury loan covers the shortfall with some headroom",
    )
    max_debt_months: float = param(
        4.0, unit="months of sales capacity", low=0.0, high=120.0, plausible=(2.0, 8.0),
        assumption="debt beyond which no bank lends more (collateral and repayment capacity; "
        "an SME covenant of net debt ~3x gross operating surplus is ~2-4 months of sales)",
    )
    collateral_refusal_share: float = param(
        0.5, unit="share of refusals", low=0.0, high=1.0, plausible=(0.3, 0.7),
        assumption="share of a viable applicant's refusals due to the bank's loss given default "
        "(no collateral) rather than to its prospects; a guarantee covering a share c of the "
        "loan lifts the refusals whose collateral gap it fills: this share x c",
    )
    arrears_default_months: int = param(
        3, unit="months", low=1, high=36,
        source="a loan is in default after 90 days past due (EU CRR art. 178; EBA/GL/2016/07)",
    )
    trade_credit_months: float = param(
        2.0, unit="months of purchases", low=0.0, high=12.0, plausible=(1.0, 2.5),
        source="payment terms between firms capped at 60 days from the invoice (45 days end of "
        "month), Code de commerce art. L441-10, from the LME, loi 2008-776 art. 21 (2008): "
        "suppliers carry unpaid bills up to ~2 months of purchases; beyond that a structure "
        "short of cash misses its bank instalments",
    )
    restructure_months: int = param(
        36, unit="months", low=1, high=240, plausible=(24, 60),
        assumption="a defaulted loan whose borrower survives is rescheduled over this many "
        "months (the bank's and, after a call, the guarantee fund's claims)",
    )

    def viable(self, loss_making, leverage=None) -> np.ndarray:
        """The bank's view of an applicant's prospects: profitable on its recent accounts and
        within the debt ceiling. Only a viable applicant can be lent to on a guarantee."""
        ok = ~np.asarray(loss_making, dtype=bool)
        if leverage is None:
            return ok
        return ok & (np.asarray(leverage) <= self.max_debt_months)

    def approval_probability(self, form_factor, young, loss_making, guarantee_cover,
                             small=False, short_term=False, leverage=None):
        """Chance a bank grants an application: size, age, losses, legal form and purpose
        (an overdraft is short-term credit); none beyond the debt ceiling (``leverage``: debt
        in months of sales capacity). A guarantee covering ``guarantee_cover`` of the loan
        lowers the bank's loss given default, so it lends to a viable applicant it refused
        for want of collateral; never to a non-viable one (a loss-maker, or over-indebted)."""
        # a first overdraft bridges a dip; lending more to a loss-maker already in debt, or
        # lending a loss-maker to invest, is what banks refuse
        indebted = np.asarray(leverage) > 0 if leverage is not None else True
        penalised = np.asarray(loss_making) & (indebted if short_term else True)
        if not self.enabled and not short_term:  # lifted: invest as an established SME would
            p = self.base_approval * np.where(penalised, self.loss_penalty, 1.0) * np.ones_like(
                np.asarray(form_factor, dtype=float))
            return self._within_ceiling(p, leverage)
        p = self.base_approval * form_factor
        p = p * np.where(small, self.small_firm_factor, 1.0)
        p = p * np.where(young, self.young_firm_factor, 1.0)
        p = p * (self.short_term_factor if short_term else 1.0)
        p = p * np.where(penalised, self.loss_penalty, 1.0)
        lift = self.collateral_refusal_share * np.asarray(guarantee_cover) * self.viable(
            loss_making, leverage)
        p = np.clip(p + lift * (1.0 - p), 0.0, 1.0)
        return self._within_ceiling(p, leverage)

    def _within_ceiling(self, p, leverage):
        """No bank lends beyond the debt ceiling (collateral and repayment capacity)."""
        if leverage is None:
            return p
        return np.where(np.asarray(leverage) > self.max_debt_months, 0.0, p)


@dataclass
class PremisesAccess:
    """Brake 4: floor space is scarce where land is tense and private landlords prefer others."""

    enabled: bool = param(True, unit="bool", assumption="brake switch")
    private_acceptance: float = param(
        0.6, unit="probability", low=0.0, high=1.0, plausible=(0.4, 0.9),
        assumption="chance a private landlord accepts an ESS tenant ('moindre accès des "
        "structures de l'ESS aux opportunités existantes')",
    )
    vacant_m2_per_inhabitant: float = param(
        0.15, unit="m²/inhabitant", low=0.0, high=10.0, plausible=(0.05, 0.4),
        assumption="vacant activity floor space on the market at tension 1; scaled by "
        "1/tension² (dense areas have little vacancy)",
    )
    max_rent_share: float = param(
        0.12, unit="share of income", low=0.0, high=1.0, plausible=(0.08, 0.2),
        assumption="highest rent-to-income ratio an ESS enterprise accepts (income: sales and "
        "the State's aid for its insertion and adapted posts)",
    )
    initial_rent_low: float = param(
        0.85, unit="share of market rent", low=0.0, high=1.0, plausible=(0.7, 0.95),
        assumption="lowest rent of an incumbent's lease relative to today's market rent (older "
        "leases; drawn uniformly up to the market rent)",
    )
    lifted_vacancy_factor: float = param(
        4.0, unit="multiple of vacant_m2_per_inhabitant", low=0.0, high=100.0,
        plausible=(2.0, 8.0),
        assumption="vacant floor per inhabitant with the premises brake lifted, as at tension "
        "0.5 everywhere",
    )
    expected_utilisation: float = param(
        0.8, unit="share of capacity", low=0.0, high=1.0, plausible=(0.6, 0.95),
        assumption="sales a tenant counts on, at least, when judging a rent (a share of its "
        "capacity, if this month's sales were lower)",
    )

    def acceptance(self) -> float:
        return self.private_acceptance if self.enabled else 1.0

    def rent_tension(self, tension: np.ndarray) -> np.ndarray:
        """Rents follow land tension; with the brake lifted, premises cost the base rent."""
        return tension if self.enabled else np.ones_like(tension)

    def vacancy_per_capita(self, tension: np.ndarray) -> np.ndarray:
        factor = (1.0 / tension**2 if self.enabled
                  else np.full_like(tension, self.lifted_vacancy_factor))
        return self.vacant_m2_per_inhabitant * factor


@dataclass
class HumanResources:
    """Brake 5: support-function turnover, skill gaps, and automation versus insertion jobs."""

    enabled: bool = param(True, unit="bool", assumption="brake switch")
    support_turnover_month: float = param(
        0.02, unit="1/month", low=0.0, high=1.0, plausible=(0.01, 0.04),
        assumption="monthly turnover of support functions ('tension salaire-responsabilité')",
    )
    vacancy_productivity_loss: float = param(
        0.15, unit="share", low=0.0, high=1.0, plausible=(0.05, 0.3),
        assumption="capacity lost while a support post is vacant",
    )
    refill_months: float = param(
        4.0, unit="months", low=0.5, high=24.0, plausible=(2.0, 8.0),
        assumption="months to refill a support post",
    )
    skill_gap: float = param(
        0.3, unit="share", low=0.0, high=1.0, plausible=(0.1, 0.5),
        assumption="share of insertion graduates in an industrial trade still lacking the "
        "skills an industrial hard-to-fill vacancy asks (OPCO 2i 2024: 60% of industrial hires "
        "judged difficult); training partnerships close part of it (markets/labour.py)",
    )

    def capacity_factor(self, vacant_support: np.ndarray) -> np.ndarray:
        if not self.enabled:
            return np.ones_like(vacant_support, dtype=float)
        return 1.0 - self.vacancy_productivity_loss * vacant_support
