"""Browser dashboard for classrooms and the ministry: `python -m sim.dashboard`.

Built on Solara (as Mesa's SolaraViz is) and meant to run without any network: every front-end
asset is served by the local server (see `sim.dashboard.__main__`), and each visitor gets a model
of their own.
"""
