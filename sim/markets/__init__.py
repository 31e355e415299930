"""Markets are objects, not agents: each takes arrays of requests or offers and ``clear()``
allocates them by the rule its module's docstring states.

One module per market: consumer goods, public procurement, business-to-business purchasing on
the economic graph (with the tie graph), premises, credit, and the insertion labour flow. Each
also holds its phase functions of the calendar (``sim.model.CALENDAR``); ``clearing`` runs the
markets phase (every demand meets capacity) and ``settlement`` moves the month's money through
the ledger.
"""
