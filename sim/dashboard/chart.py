"""An ECharts chart for the dashboard (`chart.vue`): Solara's FigureEcharts with the page's
number format, a guard against options that arrive before ECharts has loaded, a PNG link, and
months appended rather than whole series re-sent.

While a run plays, a chart's option changes only by new points at the end of its series. Sent
whole, every redraw re-sent every point of every series of the six charts (up to 120 months × 6
lines), validated and serialised on the server each time; now the widget sends the new points
alone in a message (`append`), and the whole option only when anything else changed (language,
projector fonts, another run). A page that missed points (a view created after them) asks for
the whole option again (`resync`).
"""

from __future__ import annotations

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
        rows.append(data[len(done):])
    return rows


class ChartWidget(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "chart.vue")

    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    option = traitlets.Any({}).tag(sync=True)
    locale = traitlets.Unicode("fr-FR").tag(sync=True)
    png_name = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._latest: dict | None = None  # the option drawn, appended points included

    def show(self, option: dict) -> None:
        """Draw `option`, sending only the points it appends to the one drawn when it can."""
        rows = appended_rows(self._latest, option)
        if rows is None:
            self.option = option
        elif any(rows):
            start = [len(s.get("data", [])) for s in self._latest.get("series", [])]
            self.send({"method": "append", "args": [{"start": start, "rows": rows}]})
        self._latest = option

    def vue_resync(self, _data=None) -> None:
        """A page whose points do not follow on from the message asks for the whole option."""
        if self._latest is not None and self.option is not self._latest:
            self.option = self._latest


@solara.component
def Chart(option: dict, lang: str, height_px: int = 300, png_name: str = "", classes=()):
    """One chart; `png_name` (file name without extension) adds a PNG download link."""
    element = ChartWidget.element(
        locale=LOCALES[lang],
        png_name=png_name,
        attributes={"style": f"height: {height_px}px", "class": " ".join(classes)},
    )
    solara.use_effect(lambda: solara.get_widget(element).show(option), [option])
    return element
