"""Template filters for the board pack."""

from collections.abc import Iterable, Mapping

from django import template

from reporting.charts import NO_VALUE, SUPPRESSED_TEXT
from reporting.services.board_packs import wide_table

register = template.Library()


@register.filter
def wide(chart) -> dict:
    return wide_table(chart)


@register.filter
def marks(rows) -> dict[str, bool]:
    """Whether a table's cells show [c] (suppressed) or an en dash (nothing recorded), so its key explains each."""
    found: set[str] = set()

    def walk(cell) -> None:
        if isinstance(cell, str):
            found.add(cell)
        elif isinstance(cell, Mapping):
            for value in cell.values():
                walk(value)
        elif isinstance(cell, Iterable):
            for value in cell:
                walk(value)

    walk(rows)
    return {"suppressed": SUPPRESSED_TEXT in found, "none": NO_VALUE in found}
