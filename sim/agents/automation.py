"""Capital versus insertion labour: how a growing ESS producer adds output (brake 5, "tension
entre la création d'emplois et l'industrialisation").

A producer whose demand outruns capacity adds one growth step of output. It can hire its form's
staff mix (permanent, insertion and adapted posts, paid wages net of the State's aid per post)
or buy machines, run by permanent operators, for a share of that step (in tenths) and hire its
mix for the rest. For each share it compares the cost per unit of output of both: labour at its
wages net of aid and its staff's productivity; machines at their user cost (the bank's rate on
its loans plus depreciation) on their price and a fixed project cost, which makes them pay only
for large steps, that is at scale. It automates the largest share that pays. Its mission bounds
the share: an insertion enterprise or workshop keeps a least share of insertion FTE (its
convention with the State), an adapted enterprise its least share of disabled workers;
structures that place their insertion staff at clients (AI, ETTI) produce nothing of their own
to automate.

Machines count in capacity as full-time workers' output (at the enterprise's productivity), with
the operators bought with them; they need floor like workers. The equipment of an industrial
host that an implant uses is not a machine of the enterprise: it adds no output without the
enterprise's own team, which runs it (``sim/markets/implants.py``). Investment is paid
through the ledger and financed as any expansion (own cash, equity or a bank loan:
``sim/markets/credit.py``). A shrinking producer scraps machines in proportion to the staff it
sheds.
"""

from __future__ import annotations

import numpy as np


def machine_workers(world, params, rows) -> np.ndarray:
    """Own machines' output, in full-time workers."""
    return world.enterprises.machines[rows] / params.automation.machine_eur_per_fte


def output_per_job(world, econ, rows) -> np.ndarray:
    """Output of one job of the form's hiring mix, in full-time workers."""
    f, form = world.forms, world.enterprises.form[rows]
    permanent = 1.0 - f.insertion_share[form] - f.adapted_share[form]
    return (permanent + f.insertion_share[form] * f.fte[form] * econ.insertion_productivity
            + f.adapted_share[form] * econ.adapted_productivity)


def labour_cost_per_output(world, econ, rows, per_job=None) -> np.ndarray:
    """€ a month per full-time worker's output when hiring the form's mix: wages net of the
    State's aid per insertion FTE and adapted post. ``per_job``: ``output_per_job`` of the
    same rows, when computed already."""
    f, form = world.forms, world.enterprises.form[rows]
    permanent = 1.0 - f.insertion_share[form] - f.adapted_share[form]
    aided = f.insertion_share[form] * f.fte[form] + f.adapted_share[form]
    cost = (permanent * econ.wage_permanent_month
            + aided * (econ.wage_insertion_month - f.aid_month[form]))
    return cost / (output_per_job(world, econ, rows) if per_job is None else per_job)


def user_cost_month(m) -> float:
    """Monthly cost of a euro of machines: the bank's rate on ESS loans plus depreciation."""
    rate_yr = 12.0 * m.conditions.interest_rate_month + m.params.finance.loan_spread_yr
    return (rate_yr + 1.0 / m.params.automation.machine_life_yr) / 12.0


def machine_route(m, rows, output) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``output`` full-time workers' output to add: (machine output, operators, € a month
    per unit of output) of the machine route."""
    a, econ = m.params.automation, m.params.economy
    operators = np.ceil(output * a.operators_per_machine_fte / (1.0 + a.operators_per_machine_fte))
    machine = np.maximum(output - operators, 0.0)
    capital = a.machine_fixed_eur + machine * a.machine_eur_per_fte
    cost = capital * user_cost_month(m) + operators * econ.wage_permanent_month
    per_output = np.divide(cost, machine + operators, out=np.full(rows.size, np.inf),
                           where=machine > 0)
    return machine, operators.astype(np.int64), per_output


def within_mission(world, params, rows, operators, hires=0) -> np.ndarray:
    """Whether adding ``operators`` permanent jobs and ``hires`` jobs of the form's mix keeps
    each producer's mission: insertion FTE share for insertion forms, disabled workers' share
    for adapted enterprises."""
    e, f, a = world.enterprises, world.forms, params.automation
    form = e.form[rows]
    ins_share, ad_share = f.insertion_share[form], f.adapted_share[form]  # gathered once
    ins_hires, ad_hires = hires * ins_share, hires * ad_share
    insertion_fte = (e.insertion[rows] + ins_hires) * f.fte[form]
    adapted = e.adapted[rows] + ad_hires
    permanent = e.permanent[rows] + operators + hires - ins_hires - ad_hires
    fte = permanent + adapted + insertion_fte
    jobs = permanent + adapted + e.insertion[rows] + ins_hires
    insertion_ok = (ins_share == 0) | (insertion_fte >= a.insertion_min_share * fte - 1e-9)
    adapted_ok = (ad_share == 0) | (adapted >= a.adapted_min_share * jobs - 1e-9)
    return insertion_ok & adapted_ok


SHARES = np.linspace(1.0, 0.0, 11)  # shares of a growth step a producer may automate


def plan(m, rows, delta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per growing producer, (machine output, operators, jobs of its form's mix to hire) for
    its step of ``delta`` jobs. At the margin: it automates the largest share of the step
    (tenths) that keeps its mission, where machines on that share cost less per unit of output
    than hiring its mix net of the State's aid per post, and hires its mix for the rest; only
    producers with their own workshop automate.

    Every share of every producer is computed in one pass (a producer's shares side by side,
    largest first), element by element as one share at a time would: the first share that
    pays and keeps the mission is the largest."""
    w, econ = m.world, m.params.economy
    own_workshop = w.forms.on_site[w.enterprises.form[rows]] > 0
    machine, operators, hires = np.zeros(rows.size), np.zeros(rows.size, np.int64), delta.copy()
    candidates = own_workshop.nonzero()[0]  # element by element, so only these are computed
    if candidates.size == 0:
        return machine, operators, hires
    # the output and labour cost of the candidates' jobs only (element by element: the same
    # numbers as computed over every grower, then gathered)
    growers = rows[candidates]
    per_job = output_per_job(w, econ, growers)
    labour = labour_cost_per_output(w, econ, growers, per_job)
    shares = SHARES[:-1]
    k = shares.size
    u_rows, u_delta = np.repeat(growers, k), np.repeat(delta[candidates], k)
    rest = np.round((1.0 - np.tile(shares, candidates.size)) * u_delta).astype(np.int64)
    m_out, ops, per_output = machine_route(m, u_rows, (u_delta - rest) * np.repeat(per_job, k))
    chosen = ((m_out > 0) & (per_output < np.repeat(labour, k))
              & within_mission(w, m.params, u_rows, ops, rest)).reshape(candidates.size, k)
    decided = chosen.any(axis=1)
    at = candidates[decided]
    first = decided.nonzero()[0] * k + chosen[decided].argmax(axis=1)
    machine[at], operators[at], hires[at] = m_out[first], ops[first], rest[first]
    return machine, operators, hires


def investment(params, machine) -> np.ndarray:
    """€ to buy ``machine`` full-time workers' output of machines (zero where none)."""
    a = params.automation
    return np.where(machine > 0, a.machine_fixed_eur + machine * a.machine_eur_per_fte, 0.0)


def install(m, rows, machine, operators) -> None:
    """Machines and their operators join the producers (bought through ``ess._invest``); their
    claims on households' and businesses' pools grow with their output."""
    if rows.size == 0:
        return
    w, params = m.world, m.params
    e = w.enterprises
    before = _output(w, params, rows)
    e.machines[rows] += machine * params.automation.machine_eur_per_fte
    e.permanent[rows] += operators
    growth = _output(w, params, rows) / np.maximum(before, 1e-9)
    e.consumer_weight[rows] *= growth
    e.business_weight[rows] *= growth
    e.last_growth[rows] = m.month


def scrap(world, rows, cut: float) -> None:
    """A shrinking producer keeps ``cut`` of its machines (the rest is scrapped)."""
    world.enterprises.machines[rows] *= cut


def _output(world, params, rows) -> np.ndarray:
    e, econ = world.enterprises, params.economy
    return (e.permanent[rows] + e.adapted[rows] * econ.adapted_productivity
            + e.insertion[rows] * world.forms.fte[e.form[rows]] * econ.insertion_productivity
            + machine_workers(world, params, rows))
