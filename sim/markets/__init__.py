"""Markets are objects, not agents: each posts offers, then ``clear()`` allocates and settles.

One module per market, each stating its clearing rule in its docstring: consumer goods, public
procurement, business-to-business purchasing on the economic graph, premises, credit, and the
insertion labour flow.
"""
