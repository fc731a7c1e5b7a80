"""Reads of case data for pages, exports and the API, always scoped to the user's LA.

``cases`` holds the case list and case page, ``tracker`` the tracker list and its flags,
``meetings`` the reads of meeting mode.
"""

from cases.selectors.cases import (
    case_due_items,
    case_episodes,
    case_get,
    case_list,
    case_stage,
    case_status,
    case_timeline,
    duplicate_rows,
    family_search,
    possible_duplicates,
    search_date,
)
from cases.selectors.meetings import (
    agenda_candidates,
    case_open_actions,
    la_users,
    meeting_get,
    meeting_item_get,
    meetings_list,
    scoped_tracker,
)

__all__ = [
    "agenda_candidates",
    "case_due_items",
    "case_episodes",
    "case_get",
    "case_list",
    "case_open_actions",
    "case_stage",
    "case_status",
    "case_timeline",
    "duplicate_rows",
    "family_search",
    "la_users",
    "meeting_get",
    "meeting_item_get",
    "meetings_list",
    "possible_duplicates",
    "scoped_tracker",
    "search_date",
]
