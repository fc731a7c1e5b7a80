"""Helpers for browser journeys: GOV.UK date inputs and the axe-core accessibility check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# The elements that reach past the right edge of the window (to say what widens the page).
# Content inside a box that scrolls sideways (a wide table) is left out: the box itself is what counts.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("body *")]
    .filter(e => !e.closest(".app-table-scroll") || e.matches(".app-table-scroll"))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`).slice(0, 5)"""


def fill_date(page: Page, name: str, day: dt.date | tuple[str, str, str]) -> None:
    """Type a date into the three boxes of a GOV.UK date input."""
    parts = (str(day.day), str(day.month), str(day.year)) if isinstance(day, dt.date) else day
    for suffix, value in zip(("day", "month", "year"), parts, strict=True):
        page.fill(f"#id_{name}_{suffix}", value)


def serious_accessibility_violations(page: Page) -> list[str]:
    """Serious or critical axe-core violations on the current page, described in one line each."""
    assert AXE.is_file(), "axe-core is missing: run `make install` (npm ci)."
    # Evaluated through the DevTools protocol rather than added as a <script>: the service's
    # Content-Security-Policy (rightly) refuses inline scripts, and axe is no part of the page.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 3)}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def accessible_at_both_widths(page, screenshot, name: str) -> None:
    """No serious or critical axe violation at 1280 and 375 px (screenshotted at each); back to 1280."""
    for viewport, width in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(viewport)
        violations = serious_accessibility_violations(page)
        assert not violations, f"{name} at {width} px: " + "; ".join(violations)
        # Nothing wider than the screen: a wide table scrolls inside its own box.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= viewport["width"], f"{name} at {width} px: {page.evaluate(WIDER_THAN_THE_SCREEN)}"
        screenshot(f"{name}-{width}")
    page.set_viewport_size(DESKTOP)
