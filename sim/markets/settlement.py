"""Settlement: every euro of the month's trade and costs through the ledger.

Rule: enterprises are paid for what they sold (households pay sales plus VAT, which goes on to
the State; industry and other businesses; each public contract's buyer, the State, a Region, a
département or the intercommunalities, for public contracts) and receive
the State's aid per insertion FTE and adapted post (and chantiers d'insertion their local
co-funding per insertion FTE); they pay wages (cooperatives cut pay while
loss-making), materials, rents and loan service. The month's result feeds a smoothed trend, by
which an enterprise is judged loss-making.
"""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.ledger import Sector
from sim.markets import credit, premises


def settle(m) -> None:
    """Every euro of the month through the ledger: sales, VAT, aid, wages, materials, rent,
    loan service."""
    w, econ = m.world, m.params.economy
    e, L, forms = w.enterprises, w.ledger, w.forms
    idx = slice(0, e.n)  # every row, in order (``Ledger`` adds to the slice)
    parts = m.now.sales_parts
    L.pay_sector_to_enterprises(Sector.HOUSEHOLDS, idx, parts["consumer"] + parts["vat"],
                                "sales_households")
    L.pay_enterprises_to_sector(idx, parts["vat"], Sector.STATE, "vat")
    L.pay_sector_to_enterprises(Sector.INDUSTRY, idx, parts["business"] + parts["industry"],
                                "sales_business")
    L.pay_sectors_to_enterprises(m.now.public_sales_by_buyer, idx, parts["public"],
                                 "sales_public")
    aided_fte = e.insertion * forms.fte[e.form] + e.adapted  # insertion FTE and adapted posts
    aid = aided_fte * forms.aid_month[e.form] * e.alive
    L.pay_sector_to_enterprises(Sector.STATE, idx, aid, "state_aid_posts")
    # one sum, added to both; over every enterprise ever created (a failed one's aid is zero),
    # the same pairwise sum whatever rows compaction dropped
    aid_total = e.in_serial_space(aid).sum()
    m.now.public_baseline += aid_total
    m.now.public_by_payer[Sector.STATE] += aid_total
    # a failed enterprise's aid is +0.0, which adds no bit: live rows only, in the same order
    live = e.alive.nonzero()[0]
    np.add.at(m.now.public_by_territory, e.territory[live], aid[live])
    # chantiers d'insertion: the département's, communes' and FSE co-funding, whatever sales
    cofunding = ess.cofunding(w)
    if cofunding.any():
        L.pay_sector_to_enterprises(Sector.INTERCOMMUNALITIES, idx, cofunding,
                                    "cofunding_insertion")
        cofunding_total = e.in_serial_space(cofunding).sum()
        m.now.public_baseline += cofunding_total
        m.now.public_by_payer[Sector.INTERCOMMUNALITIES] += cofunding_total
        np.add.at(m.now.public_by_territory, e.territory, cofunding)
    restraint = 1.0 - forms.pay_flexibility[e.form] * e.loss_making  # cooperatives
    wages = (e.permanent * econ.wage_permanent_month * restraint
             + aided_fte * econ.wage_insertion_month) * e.alive
    L.pay_enterprises_to_sector(idx, wages, Sector.HOUSEHOLDS, "wages")
    materials = e.sales * econ.materials_share
    L.pay_enterprises_to_sector(idx, materials, Sector.SUPPLIERS, "materials")
    premises.pay_rents(m)
    service = credit.service_loans(m)
    result = e.sales + aid + cofunding - wages - materials - e.rent_month - service
    # losses are judged on recent accounts, not on one month's lumpy sales
    smoothing = econ.result_smoothing
    e.result_trend[:] = (1 - smoothing) * e.result_trend + smoothing * result
    e.loss_making[:] = e.result_trend < 0
    m.now.accounts = {"sales": e.sales.copy(), "aid": aid, "cofunding": cofunding,
                      "wages": wages,
                      "materials": materials, "rent": e.rent_month.copy()}
