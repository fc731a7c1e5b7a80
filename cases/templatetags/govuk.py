"""Template helpers for rendering Django forms with GOV.UK Design System markup."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_kind(bound_field) -> str:
    """A short name for the widget: date, radios, checkboxes, checkbox, select, textarea, hidden or input."""
    kind = bound_field.widget_type
    return {
        "govukdate": "date",
        "radioselect": "radios",
        "checkboxselectmultiple": "checkboxes",
        "checkbox": "checkbox",
        "select": "select",
        "textarea": "textarea",
        "hidden": "hidden",
    }.get(kind, "input")


@register.filter
def anchor_id(bound_field) -> str:
    """The id the error summary links to: the first input of the field."""
    kind = widget_kind(bound_field)
    if kind == "date":
        return f"{bound_field.auto_id}_day"
    if kind in ("radios", "checkboxes"):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def date_parts(bound_field) -> dict[str, str]:
    """Day, month and year as typed (bound) or from the initial date."""
    value = bound_field.value()
    if isinstance(value, dt.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, (list, tuple)) and len(value) == 3:
        return {"day": value[0] or "", "month": value[1] or "", "year": value[2] or ""}
    return {"day": "", "month": "", "year": ""}


@register.filter
def choice_hint(bound_field, value) -> str:
    hints = getattr(bound_field.field, "choice_hints", None) or {}
    return hints.get(str(value), hints.get(getattr(value, "value", value), ""))


@register.filter
def select_options(bound_field) -> list[tuple[str, str, bool]]:
    """(value, label, selected) for a select's options."""
    current = bound_field.value()
    current_values = {str(v) for v in current} if isinstance(current, (list, tuple)) else {str(current)}
    if current is None:
        current_values = {""}
    options = []
    for value, label in bound_field.field.choices:
        value = "" if value is None else str(getattr(value, "value", value))
        options.append((value, label, value in current_values))
    return options


@register.filter
def select_option_tags(bound_field) -> SafeString:
    """The ``<option>`` elements of a select, built in one pass (long lists, such as an LA's workers)."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<option value="{}"{}>{}</option>', value, " selected" if selected else "", label),)
            for value, label, selected in select_options(bound_field)
        ),
    )
