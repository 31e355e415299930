"""Open a sweep's reports in headless Chromium: check what a reader sees, and photograph it.

`python -m sim.experiments.screenshot <sweep_dir> [out_dir]` writes `report-fr.png` and
`report-en.png`, the first screen of each report (docs/img/ holds the README's). `inspect`
returns what the browser tests check: images that did not load, and words of the visible
text (configs, commands and recorded errors excepted) that look like untranslated keys
(`snake_case`) or, in the French report, English status words.
"""

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

FIRST_SCREEN = {"width": 1280, "height": 900}
KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
ENGLISH_IN_FR = re.compile(r"\b(complete|failed|running|baseline|arm)\b")


@dataclass
class Seen:
    """What Chromium showed: broken images, suspicious words, and the page's visible text."""

    broken_images: list[str]
    keys: list[str]
    text: str


def inspect(page, path: Path, lang: str) -> Seen:
    """Load `path` in a Playwright page and read it as a reader would."""
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)")
    text = page.evaluate(
        "() => { const b = document.body.cloneNode(true);"
        " b.querySelectorAll('pre, details, code').forEach(e => e.remove());"
        " return b.innerText; }")
    keys = KEY.findall(text)
    if lang == "fr":
        keys += ENGLISH_IN_FR.findall(text)
    return Seen(broken, keys, text)


def photograph(sweep_dir: Path, out_dir: Path) -> list[Path]:
    """The first screen of report.fr.html and report.en.html, as PNG files in `out_dir`."""
    from playwright.sync_api import sync_playwright

    from sim.dashboard.browser import launch

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for lang in ("fr", "en"):
                page = browser.new_page(viewport=FIRST_SCREEN)
                inspect(page, Path(sweep_dir) / "report" / f"report.{lang}.html", lang)
                target = out_dir / f"report-{lang}.png"
                page.screenshot(path=str(target))
                page.close()
                written.append(target)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.experiments.screenshot",
                                     description="Photograph the first screen of a sweep's "
                                                 "French and English reports.")
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs/img"))
    args = parser.parse_args(argv)
    for path in photograph(args.sweep_dir, args.out_dir):
        print(path)


if __name__ == "__main__":
    main()
