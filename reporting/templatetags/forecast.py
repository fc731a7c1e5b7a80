"""Template filters for showing the breach forecast (``reporting.forecast.display``)."""

from django import template

from reporting.forecast import display

register = template.Library()


@register.filter
def forecast_percent(probability) -> str:
    """A probability as a percentage, never 0% or 100% (``display.percent``)."""
    return "" if probability is None else display.percent(probability)
