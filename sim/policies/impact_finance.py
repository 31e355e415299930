"""Impact finance: loan guarantees and the holding route to outside equity (brake 3).

Why: banks screen on profitability, collateral and legal form, and associations and cooperatives
cannot open their capital. The study (Levier n°2) asks public actors to "aller jusqu'au rôle de
garant pour soutenir les financements privés" and to "activer des leviers juridiques, comme la
création d'une holding pour les associations ou coopératives pour lever les contraintes
financières liées au statut juridique" (the VALO' group's SAS holding, Groupe Archer).

Mechanism: in the territories reached, a guarantee fund offers to cover ``guarantee_share`` of a
loan to a borrower the bank judges viable (profitable, within its debt ceiling). The cover
lowers the bank's loss given default, so it lends to viable applicants it refused for want of
collateral (``collateral_refusal_share`` of brake 3), never to a loss-maker or an over-indebted
structure (markets/credit.py). Borrowers pay the fund's fee (``fee_rate``). Guarantees are
called when a borrower defaults: after missed repayments (the borrower may survive, its debt
rescheduled, the fund recovering what it paid) or at failure. An association or cooperative
needing equity builds a holding with probability ``holding_chance`` and raises equity through
it; public investors (Banque des Territoires, Bpifrance) take ``public_equity_share`` of such
rounds, and every stake is repaid with the impact return out of profits. Intensity scales the
cover, the holding chance and the public share.

Public cost, booked when it happens:
- the guarantee fund is assumed public (France Active's funds are endowed by the State, Banque
  des Territoires and the Regions): for ``public_share_of_calls`` of it, the State pays the
  calls when they happen and receives the fund's fee income and its recoveries on the claims
  it took over. The cost is the fund's net loss, not its gross calls (a month can be
  negative).
- public equity: not the capital outlay, which is an asset repaid with a return (it goes
  through the ledger from the public investment bank to the enterprise and back), but what the
  public investor loses: stakes written off at failure, when they happen, and each month the
  return forgone against the State's cost of capital (``public_cost_of_capital_yr``) on the
  stakes it holds. Stakes still held at the horizon carry unrealised risk that is not booked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.effects import Effects
from sim.ledger import Sector
from sim.policies import register
from sim.policies.base import Label, LeverParams, Policy
from sim.spec import param


@dataclass
class ImpactFinanceParams(LeverParams):
    guarantee_share: float = param(
        0.65, unit="share of the loan", low=0.0, high=1.0, plausible=(0.5, 0.8),
        source="calibration G: France Active guarantees 50-80% of the loan (65% for structures "
        "under 3 years)",
    )
    fee_rate: float = param(
        0.025, unit="share of the guaranteed amount", low=0.0, high=0.2, plausible=(0.02, 0.025),
        source="calibration G: France Active guarantee fee 2-2.5%, paid by the borrower",
    )
    holding_chance: float = param(
        0.3, unit="probability", low=0.0, high=1.0, plausible=(0.1, 0.6),
        assumption="chance an association or cooperative needing equity builds a holding "
        "(seed: VALO', Groupe Archer)",
    )
    public_equity_share: float = param(
        0.5, unit="share of the round", low=0.0, high=1.0, plausible=(0.3, 0.7),
        assumption="share of an equity round raised through a holding that Banque des "
        "Territoires or Bpifrance take (co-investment beside solidarity funds; calibration G: "
        "Banque des Territoires ESS envelope >= 100 M€ a year)",
    )
    public_share_of_calls: float = param(
        1.0, unit="share", low=0.0, high=1.0, plausible=(0.5, 1.0),
        assumption="share of the guarantee fund's net losses replenished with public money "
        "(State, Banque des Territoires, Regions endow the funds)",
    )
    public_cost_of_capital_yr: float = param(
        0.03, unit="1/yr", low=0.0, high=0.2, plausible=(0.025, 0.035),
        source="the State's cost of funds: 10-year OAT yield ~3% in 2024 (Agence France "
        "Trésor)",
    )


@register
class ImpactFinance(Policy):
    """Guarantees loans to viable ESS borrowers and opens the holding route to equity."""

    name = "impact_finance"
    label = Label(en="Impact finance", fr="Finance à impact")
    brake = "finance"
    Params = ImpactFinanceParams

    def __init__(self, params: ImpactFinanceParams, model):
        super().__init__(params, model)
        self.loans_seen = model.world.loans.appended

    def act(self, effects: Effects, dose: float) -> None:
        p, fx = self.params, effects.credit
        reached = dose * self.mask
        fx.guarantee_share = np.maximum(fx.guarantee_share, p.guarantee_share * reached)
        fx.guarantee_fee_rate = np.where(reached > 0, p.fee_rate, fx.guarantee_fee_rate)
        fx.equity_for_closed_forms = np.maximum(fx.equity_for_closed_forms,
                                                p.holding_chance * reached)
        fx.public_equity_share = np.maximum(fx.public_equity_share,
                                            p.public_equity_share * reached)

    def cost(self, dose: float) -> float:
        self._reach_new_claims()
        return self._fund_net_loss() + self._public_equity_cost()

    def _reach_new_claims(self) -> None:
        """Borrowers of guaranteed loans and holders of public stakes opened this month."""
        loans = self.model.world.loans
        new = loans.rows_since(self.loans_seen)
        self.loans_seen = loans.appended
        ours = (loans.guaranteed[new] > 0) | (loans.lender[new] == Sector.PUBLIC_INVESTMENT_BANK)
        self.reach_enterprises(loans.enterprise[new[ours]])

    def _fund_net_loss(self) -> float:
        """The State pays its share of the month's calls into the fund; the fund's fee income
        and recoveries go back to it: the month's cost is the net, negative in a month when
        income exceeds calls."""
        now, share = self.model.now, self.params.public_share_of_calls
        income = (now.guarantee_fees_by_territory + now.guarantee_recoveries_by_territory) * share
        calls = self.spend(Sector.STATE, Sector.GUARANTEE_FUND,
                           now.guarantee_calls_by_territory * share, "guarantee_calls")
        if income.sum() > 0:
            self.model.ledger.pay_sector_to_sector(Sector.GUARANTEE_FUND, Sector.STATE,
                                                   income.sum(), f"{self.name}_fund_income")
        return calls + self.booked(-income, Sector.STATE)

    def _public_equity_cost(self) -> float:
        """Public stakes written off at failure, and the return forgone on those held."""
        w, p = self.model.world, self.params
        loans = w.loans
        held = loans.open & (loans.lender == Sector.PUBLIC_INVESTMENT_BANK)
        gap = np.maximum(p.public_cost_of_capital_yr / 12.0 - loans.rate_month[held], 0.0)
        forgone = np.bincount(w.enterprises.territory[loans.enterprise[held]],
                              weights=loans.outstanding[held] * gap,
                              minlength=w.n_territories)
        losses = self.model.now.public_equity_losses_by_territory
        return self.booked(forgone + losses, Sector.PUBLIC_INVESTMENT_BANK)
