"""Template filters for the board pack."""

from django import template

from reporting.services.board_packs import wide_table

register = template.Library()


@register.filter
def wide(chart) -> dict:
    return wide_table(chart)
