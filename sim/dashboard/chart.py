"""ECharts charts for the dashboard (`chart.vue`): Solara's FigureEcharts with the page's number
format, a guard against options that arrive before ECharts has loaded, a PNG link per chart,
months appended rather than whole series re-sent, and several charts in one widget.

While a run plays, a chart's option changes only by new points at the end of its series. Sent
whole, every redraw re-sent every point of every series of the six charts (up to 120 months × 6
lines), validated and serialised on the server each time; now the widget sends the new points
alone in a message (`append`), and the whole options only when anything else changed (language,
projector fonts, another run). A page that missed points (a view created after them) asks for
the whole options again (`resync`).

One widget draws several charts (`Charts`: the six panels of the page). A redraw's cost on the
server follows the number of widget messages more than their size — each message is handed from
the session's thread to the websocket's event loop on its own — so the six panels' new points
travel in one message per redraw, not six, and Reacton reconciles one component, not six.
"""

from __future__ import annotations

import threading

import ipyvuetify
import solara
import traitlets

LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def appended_rows(old: dict | None, new: dict) -> list[list] | None:
    """Per series, the points `new` adds at the end of `old`'s; None when `new` differs from
    `old` in anything else (then the whole option is sent)."""
    if not old or old.keys() != new.keys():
        return None
    if any(old[k] != new[k] for k in old if k != "series"):
        return None
    before, after = old.get("series", []), new.get("series", [])
    if len(before) != len(after):
        return None
    rows = []
    for b, a in zip(before, after, strict=True):
        if b.keys() != a.keys() or any(b[k] != a[k] for k in b if k != "data"):
            return None
        done, data = b.get("data", []), a.get("data", [])
        # Earlier months never change in a run: its last point seen tells it is the same run.
        if len(data) < len(done) or (done and data[len(done) - 1] != done[-1]):
            return None
        rows.append(data[len(done) :])
    return rows


def appended_message(old: list[dict] | None, new: list[dict]) -> dict | None:
    """The one `append` message taking the charts drawn from `old` to `new` (per chart, per
    series: the points added and where they start); {} when nothing was added; None when any
    chart changed in anything else than new points (then every option is sent whole)."""
    if old is None or len(old) != len(new):
        return None
    rows = [appended_rows(o, n) for o, n in zip(old, new, strict=True)]
    if any(r is None for r in rows):
        return None
    if not any(any(series) for chart in rows for series in chart):
        return {}
    start = [[len(s.get("data", [])) for s in o.get("series", [])] for o in old]
    return {"start": start, "rows": rows}


class ChartWidget(ipyvuetify.VuetifyTemplate):
    """`count` ECharts charts in a grid of `columns` columns, drawn from `options`."""

    template_file = (__file__, "chart.vue")

    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    options = traitlets.List([]).tag(sync=True)
    count = traitlets.Int(1).tag(sync=True)
    columns = traitlets.Int(1).tag(sync=True)
    locale = traitlets.Unicode("fr-FR").tag(sync=True)
    png_names = traitlets.List([]).tag(sync=True)
    # While the run plays, the page paces its draws by its own draw time (`chart.vue`); paused,
    # it draws at once what the pacing held back.
    paced = traitlets.Bool(False).tag(sync=True)
    # Whether a new option may be sent as points appended to the drawn one's series (charts of
    # months). A chart whose points change in place (the map, the ties' bars, a histogram) is
    # sent whole whenever it changes: its last point alike did not mean nothing else changed.
    appends = traitlets.Bool(True)  # not synced: the server's own

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._latest: list[dict] | None = None  # the options drawn, appended points included
        # The play loop draws from its own thread between two renders (`app.LiveViews`), a
        # render from the session's: one at a time, so that the points sent follow on.
        self._showing = threading.Lock()

    def show(self, options: list[dict]) -> None:
        """Draw `options`, sending only the points they append to the ones drawn when it can:
        one message for every chart of the widget."""
        with self._showing:
            if not self.appends:
                if options != self._latest:
                    self.options = options
                self._latest = options
                return
            message = appended_message(self._latest, options)
            if message is None:
                self.options = options
            elif message:
                self.send({"method": "append", "args": [message]})
            self._latest = options

    def vue_resync(self, _data=None) -> None:
        """A page whose points do not follow on from the message asks for the whole options."""
        if self._latest is not None and self.options is not self._latest:
            self.options = self._latest


@solara.component
def Charts(
    options: list[dict],
    lang: str,
    height_px: int = 300,
    png_names=(),
    classes=(),
    columns: int = 3,
    on_widget=None,
    appends: bool = True,
    paced: bool = False,
):
    """Several charts in one widget, `columns` to a row; `png_names` (file names without
    extension, one per chart) add PNG download links. Each chart's element has `classes`.
    `on_widget(widget)`, after each render, hands the widget to the play loop (`app.LiveViews`).
    `appends`: new options may be sent as appended points (`ChartWidget.appends`); `paced`:
    the run plays, the page paces its draws (`ChartWidget.paced`)."""
    element = ChartWidget.element(
        appends=appends,
        paced=paced,
        locale=LOCALES[lang],
        png_names=list(png_names),
        count=len(options),
        columns=columns,
        attributes={"style": f"height: {height_px}px", "class": " ".join(classes)},
    )
    solara.use_effect(lambda: solara.get_widget(element).show(options), [options])
    solara.use_effect(lambda: on_widget and on_widget(solara.get_widget(element)))
    return element


@solara.component
def Chart(
    option: dict,
    lang: str,
    height_px: int = 300,
    png_name: str = "",
    classes=(),
    on_widget=None,
    appends: bool = True,
    paced: bool = False,
):
    """One chart; `png_name` (file name without extension) adds a PNG download link."""
    options = solara.use_memo(lambda: [option], [option])
    return Charts(
        options,
        lang,
        height_px=height_px,
        png_names=[png_name],
        classes=classes,
        columns=1,
        on_widget=on_widget,
        appends=appends,
        paced=paced,
    )
