"""The project's Hydra plugins: Hydra instantiates plugins from the `hydra_plugins` package only.
Their logic lives in `sim`; each module here is a thin class that Hydra can find."""
