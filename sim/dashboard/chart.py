"""An ECharts chart for the dashboard (`chart.vue`): Solara's FigureEcharts with the page's
number format, a guard against options that arrive before ECharts has loaded, and a PNG link."""

from __future__ import annotations

import ipyvuetify
import solara
import traitlets

LOCALES = {"fr": "fr-FR", "en": "en-GB"}


class ChartWidget(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "chart.vue")

    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    option = traitlets.Any({}).tag(sync=True)
    locale = traitlets.Unicode("fr-FR").tag(sync=True)
    png_name = traitlets.Unicode("").tag(sync=True)


@solara.component
def Chart(option: dict, lang: str, height_px: int = 300, png_name: str = "", classes=()):
    """One chart; `png_name` (file name without extension) adds a PNG download link."""
    return ChartWidget.element(
        option=option,
        locale=LOCALES[lang],
        png_name=png_name,
        attributes={"style": f"height: {height_px}px", "class": " ".join(classes)},
    )
