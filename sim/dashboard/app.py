"""The dashboard page (Solara): controls in the sidebar, views of one run in the main panel.

Every piece of state, the model included, is created inside `Page` with Solara hooks, so each
browser session gets its own model: Mesa's documented pattern of a module-level model would let
thirty pupils push the same simulation. Mesa's `SolaraViz` is not used as is because it rebuilds a
model with ``type(model)(**params)`` while this model is built from Hydra overrides, and because it
has no paired run without the levers.
"""

from __future__ import annotations

import html
import logging
import time

import solara
import solara.lab

from sim.dashboard.adapter import CLASSROOM, LEVERS, MAP_OUTPUTS, Run, Settings, regions
from sim.dashboard.figures import map_figure, ties_figure, timeseries_option
from sim.dashboard.i18n import LANGUAGES, lever_label, map_label, output_label, t
from sim.dashboard.lessons import BY_KEY, LESSONS

# Mesa logs one INFO line per step; with thirty sessions the server log would be nothing else.
logging.getLogger("MESA").setLevel(logging.WARNING)


def _build(settings: Settings) -> Run | str:
    """A new run, or the model's error message so the page can show it instead of crashing."""
    try:
        return Run(settings)
    except Exception as exc:  # any model error is shown on the page, not as a crash
        logging.getLogger(__name__).exception("building the model failed")
        return f"{type(exc).__name__}: {exc}"


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


JOBS = ("ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted")


def _headline(ts, lang: str) -> dict[str, float]:
    """The latest month's stocks; public cost is already cumulated by the model."""
    last = ts.iloc[-1]
    return {output_label(lang, c): last[c] for c in (*JOBS, "ess_enterprises", "public_cost_eur")}


@solara.component
def Kpis(frames, lang: str):
    """Headline numbers; with a paired run, the difference and the cost per additional job."""
    ts, base = frames.timeseries, frames.baseline_timeseries
    if ts.empty:
        solara.Info(t(lang, "start_hint"), dense=True)
        return
    head = [f"{t(lang, 'month')} {frames.month}", t(lang, "with_levers")]
    now = _headline(ts, lang)
    rows = [[label, _fmt(value)] for label, value in now.items()]
    if base is not None:
        head += [t(lang, "without_levers"), t(lang, "difference")]
        then = _headline(base, lang)
        rows = [[*row, _fmt(then[row[0]]), _fmt(now[row[0]] - then[row[0]])] for row in rows]
        extra_jobs = sum(now[output_label(lang, c)] - then[output_label(lang, c)] for c in JOBS)
        cost = output_label(lang, "public_cost_eur")
        extra_cost = now[cost] - then[cost]
        per_job = f"{_fmt(extra_cost / extra_jobs)} €" if extra_jobs > 0 else "—"
        rows.append([t(lang, "cost_per_job"), "", "", per_job])
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    header = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<thead><tr>{header}</tr></thead><tbody>{cells}</tbody>",
        classes=["ess-kpi"],
        style="border-collapse: collapse; width: 100%; text-align: right;",
    )


def _cell(value) -> str:
    if isinstance(value, float):
        return _fmt(value) if abs(value) >= 100 else f"{value:.2f}"
    return html.escape(str(value))


def _snapshot_html(snapshot: dict) -> str:
    """Scalars one per row; lists of records (sites, history) as nested tables."""
    rows = []
    for key, value in snapshot.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            head = "".join(f"<th>{html.escape(str(k))}</th>" for k in value[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in record.values()) + "</tr>"
                for record in value
            )
            shown = f"<table class='ess-nested'><tr>{head}</tr>{body}</table>"
        elif isinstance(value, list):
            shown = html.escape(", ".join(map(str, value))) or "—"
        else:
            shown = _cell(value)
        rows.append(f"<tr><th>{html.escape(str(key))}</th><td>{shown}</td></tr>")
    return "".join(rows)


@solara.component
def Inspector(run: Run, month: int, lang: str):
    """One enterprise's state this month, as the model describes it."""
    index = solara.use_reactive(0)
    snapshot = run.enterprise(index.value)
    with solara.Card(t(lang, "inspector")):
        solara.InputInt(t(lang, "enterprise"), value=index, classes=["ess-inspect-index"])
        if snapshot is None:
            solara.Text(t(lang, "no_enterprise"))
            return
        solara.Text(f"{t(lang, 'month')} {month}", style="font-size: 0.8em; color: grey")
        solara.HTML(
            tag="table",
            unsafe_innerHTML=_snapshot_html(snapshot),
            classes=["ess-inspector"],
            style="font-size: 0.85em; text-align: left;",
        )


@solara.component
def LeverControl(name: str, lang: str, enabled: solara.Reactive, dose: solara.Reactive):
    """A lever's checkbox and dose slider; the slider is greyed out while the lever is off."""
    solara.Checkbox(
        label=lever_label(lang, name),
        value=enabled.value[name],
        on_value=lambda on: enabled.set(enabled.value | {name: on}),
    )
    solara.SliderFloat(
        t(lang, "dose"),
        value=dose.value[name],
        min=0.0,
        max=1.0,
        step=0.05,
        on_value=lambda x: dose.set(dose.value | {name: x}),
        disabled=not enabled.value[name],
    )


@solara.component
def Page():
    lang = solara.use_reactive("fr")
    lesson = solara.use_reactive("")
    territory = solara.use_reactive(CLASSROOM)
    seed = solara.use_reactive(1)
    enabled = solara.use_reactive({name: False for name in LEVERS})
    dose = solara.use_reactive({name: 0.5 for name in LEVERS})
    side_by_side = solara.use_reactive(False)
    speed = solara.use_reactive(4)
    map_output = solara.use_reactive("ess_enterprises")
    playing = solara.use_reactive(False)
    resets = solara.use_reactive(0)
    tick = solara.use_reactive(0)

    def chosen() -> Settings:
        levers = {n: round(dose.value[n], 2) for n in LEVERS if enabled.value[n]}
        return Settings(territory.value, int(seed.value), levers, side_by_side.value)

    # Rebuilt only when Reset (or a lesson) bumps `resets`: moving a control alone never
    # disturbs the run on screen.
    run = solara.use_memo(lambda: _build(chosen()), dependencies=[resets.value])
    failed = isinstance(run, str)
    frames = solara.use_memo(
        lambda: None if failed else run.frames(), dependencies=[run, tick.value]
    )

    def play():
        # Months are due at `speed` per second of wall clock; drawing a month takes longer than
        # simulating one, so the page shows the latest month after catching up on those due.
        credit, last = 1.0, time.monotonic()
        while playing.value and run.running:
            now = time.monotonic()
            credit = min(credit + (now - last) * speed.value, speed.value)
            last = now
            while credit >= 1 and run.running:
                run.step()
                credit -= 1
            tick.set(run.month)
            time.sleep((1 - credit) / speed.value)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value, run])

    def reset():
        playing.set(False)
        resets.set(resets.value + 1)
        tick.set(0)

    def step():
        tick.set(run.step())

    def apply_lesson(title: str):
        chosen_lesson = next((x for x in LESSONS if x.title[lang.value] == title), None)
        lesson.set(chosen_lesson.key if chosen_lesson else "")
        if chosen_lesson is None:
            return
        s = chosen_lesson.settings
        territory.set(s.territory)
        seed.set(s.seed)
        enabled.set({n: n in s.levers for n in LEVERS})
        dose.set({n: s.levers.get(n, dose.value[n]) for n in LEVERS})
        side_by_side.set(s.side_by_side)
        map_output.set(chosen_lesson.map_output)
        reset()

    L = lang.value
    territory_names = {CLASSROOM: t(L, "classroom")} | {
        code: f"{name} ({code})" for code, name in regions().items()
    }

    with solara.AppBar():
        solara.AppBarTitle(t(L, "title"))
        solara.ToggleButtonsSingle(value=lang, values=list(LANGUAGES), classes=["ess-lang"])

    # A fixed width: Solara's drawer otherwise grows with the longest label, over the page.
    with solara.Sidebar(), solara.Column(style={"width": "376px"}):
        with solara.Card(t(L, "lesson")):
            none = t(L, "no_lesson")
            solara.Select(
                t(L, "lesson"),
                values=[none] + [x.title[L] for x in LESSONS],
                value=BY_KEY[lesson.value].title[L] if lesson.value else none,
                on_value=apply_lesson,
                classes=["ess-lesson"],
            )
        with solara.Card(t(L, "run"), classes=["ess-run-card"]):
            solara.Select(
                t(L, "territory"),
                values=list(territory_names.values()),
                value=territory_names[territory.value],
                on_value=lambda label: territory.set(
                    next(k for k, v in territory_names.items() if v == label)
                ),
                classes=["ess-territory"],
            )
            solara.InputInt(t(L, "seed"), value=seed, classes=["ess-seed"])
            solara.Checkbox(label=t(L, "side_by_side"), value=side_by_side)
        with solara.Card(t(L, "levers")):
            for name in LEVERS:
                with solara.Div(classes=[f"ess-lever-{name}"]):
                    LeverControl(name, L, enabled, dose)

    with solara.Column(style={"padding": "0 12px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(t(L, "reset"), on_click=reset, color="primary", classes=["ess-reset"])
            solara.Button(
                t(L, "pause") if playing.value else t(L, "play"),
                on_click=lambda: playing.set(not playing.value),
                disabled=failed or not run.running,
                color="primary",
                classes=["ess-play"],
            )
            solara.Button(
                t(L, "step"),
                on_click=step,
                disabled=failed or playing.value or not run.running,
                color="primary",
                classes=["ess-step"],
            )
            with solara.Div(style={"width": "380px"}):
                solara.SliderInt(t(L, "speed"), value=speed, min=1, max=24)
            if not failed:
                done = "" if run.running else f" ({t(L, 'finished')})"
                solara.Text(
                    f"{t(L, 'month')} {frames.month}{done}",
                    classes=["ess-month"],
                    style={"font-size": "1.3em", "font-weight": "bold"},
                )
        if failed:
            solara.Error(f"{t(L, 'error')}: {run}", classes=["ess-error"])
            return
        if chosen() != run.settings:
            solara.Warning(t(L, "pending"), dense=True, classes=["ess-pending"])
        solara.Text(
            f"{t(L, 'overrides')}: {' '.join(run.overrides)}",
            classes=["ess-overrides"],
            style={"font-family": "monospace", "font-size": "0.8em"},
        )
        if lesson.value:
            with solara.Info(classes=["ess-lesson-text"], icon=False):
                chosen_lesson = BY_KEY[lesson.value]
                solara.HTML(tag="strong", unsafe_innerHTML=html.escape(chosen_lesson.title[L]))
                solara.HTML(tag="p", unsafe_innerHTML=html.escape(chosen_lesson.text[L]))
        # While playing, server-drawn images refresh about twice per second of play.
        Views(run, frames, L, map_output, max(1, speed.value // 2) if playing.value else 1)


@solara.component
def Views(run: Run, frames, lang: str, map_output: solara.Reactive[str], every: int):
    """The views of the run's current month.

    The map and the ties view are server-side images: they are redrawn only when the run, the
    language or their month changes, and while playing only every `every` months.
    """
    option = solara.use_memo(
        lambda: timeseries_option(frames.timeseries, frames.baseline_timeseries, lang),
        [run, frames.month, lang],
    )
    outputs = [c for c in MAP_OUTPUTS if c in frames.territory]
    key = [run, frames.month // every, lang]
    map_key = [*key, map_output.value]

    def draw_map():
        title = f"{t(lang, 'month')} {frames.month}"
        panels = [(f"{t(lang, 'with_levers')} — {title}", frames.territory)]
        if frames.baseline_territory is not None:
            panels.append((f"{t(lang, 'without_levers')} — {title}", frames.baseline_territory))
        return map_figure(run.territories, panels, map_output.value, lang)

    map_fig = solara.use_memo(draw_map, map_key)
    ties_fig = solara.use_memo(lambda: ties_figure(run.territories, frames.ties, lang), key)

    Kpis(frames, lang)
    with solara.Card(t(lang, "timeseries")):
        solara.FigureEcharts(option=option, attributes={"style": "height: 440px"}, responsive=True)
    with solara.Card(t(lang, "map")):
        solara.Select(
            t(lang, "map_output"),
            values=[map_label(lang, c) for c in outputs],
            value=map_label(lang, map_output.value),
            on_value=lambda label: map_output.set(
                next(c for c in outputs if map_label(lang, c) == label)
            ),
            classes=["ess-map-output"],
        )
        solara.FigureMatplotlib(map_fig, dependencies=map_key, format="png")
    with solara.Card(t(lang, "ties")):
        solara.FigureMatplotlib(ties_fig, dependencies=key, format="png")
    Inspector(run, frames.month, lang)
