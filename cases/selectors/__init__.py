"""Reads of case data for pages, exports and the API, always scoped to the user's LA.

``cases`` holds the case list and case page, ``tracker`` the tracker list and its flags,
``meetings`` the reads of meeting mode.
"""

from cases.selectors.cases import (
    case_due_items,
    case_get,
    case_list,
    case_stage,
    case_status,
    case_timeline,
    family_search,
)
from cases.selectors.meetings import case_open_actions, meeting_get, meeting_item_get, meetings_list, scoped_tracker

__all__ = [
    "case_due_items",
    "case_get",
    "case_list",
    "case_open_actions",
    "case_stage",
    "case_status",
    "case_timeline",
    "family_search",
    "meeting_get",
    "meeting_item_get",
    "meetings_list",
    "scoped_tracker",
]
