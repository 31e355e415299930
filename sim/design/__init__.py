"""Policy design: the best lever package for a public budget, robust across scenarios, and
where it fails (`python -m sim.design`).

A ministry asks "with this budget, which levers, at which doses, when and where?" — not "what
does lever X do?". Three stages, each written to the design folder and resumable from it:

1. `search`: NSGA-II (Optuna) over lever doses, start months and targeting, objectives net ESS
   job-years and durable insertion exits (up) and public cost (down), under the yearly budget;
   every candidate is paired with the baseline on the same seeds (common random numbers).
2. `robust`: the Pareto packages under every condition (scenarios × plausible parameter
   ranges): regret and a satisficing score (share of conditions meeting the target).
3. `discovery`: PRIM (EMA Workbench) on the chosen package: the boxes of conditions where it
   fails to reach the target, with coverage and density.

Every run's result is kept in `evaluations.jsonl`, keyed by its overrides, so a killed design
resumes where it stopped and the tables are rebuilt from the folder alone.
"""
