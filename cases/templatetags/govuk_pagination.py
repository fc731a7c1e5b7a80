"""The numbered items of the GOV.UK Pagination component for a Django page.

GOV.UK's guidance for long lists: show the first and last page, the current page and one page
either side of it, and an ellipsis for each run of pages skipped. A run of one page is shown as
its number (an ellipsis standing for a single page saves no room and hides a link).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.core.paginator import Page

register = template.Library()


@dataclass(frozen=True)
class PageItem:
    """A page number to link to, or (``number`` None) an ellipsis for pages skipped."""

    number: int | None
    current: bool = False

    @property
    def ellipsis(self) -> bool:
        return self.number is None


def page_items(number: int, num_pages: int) -> list[PageItem]:
    """The items for page ``number`` of ``num_pages``, in order."""
    shown = sorted({n for n in (1, number - 1, number, number + 1, num_pages) if 1 <= n <= num_pages})
    items: list[PageItem] = []
    previous = 0
    for n in shown:
        if n - previous == 2:
            items.append(PageItem(previous + 1))
        elif n - previous > 2:
            items.append(PageItem(None))
        items.append(PageItem(n, current=n == number))
        previous = n
    return items


@register.simple_tag
def pagination_items(page: Page) -> list[PageItem]:
    """``{% pagination_items page as items %}``: the numbered items of ``page``'s paginator."""
    return page_items(page.number, page.paginator.num_pages)
