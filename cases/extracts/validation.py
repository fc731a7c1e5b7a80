"""Our own implementation of the CIN census pre-proceedings module's validation rules.

Each rule is one function over a ``CensusRecord`` (so a record can be checked before it is
stored, and a test can build one that breaks the rule). Where PLO Tracker's own model already holds
the rule, the census rule asks the model: the four date-order rules are the episode's
``on_or_after`` constraints (``DateOrderConstraint.holds``, with their message), and "an outcome with
a step decision" is the episode's ``clean()``. The census rules PLO Tracker does not enforce on an
open episode (an offered FGDM says whether it took place; an issued episode has its court
application) are written here, once.

Dates inside the census year: an item dated after 31 March is an error. A date before 1 April is
not (an episode open on 1 April keeps its real start, letter and meeting dates), except the step
decision: an episode decided before the year began is not in the year's return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from cases import models as m
from cases.extracts import census as cin
from cases.extracts.census import CensusRecord, CensusYear
from cases.models.records import DateOrderConstraint

Finding = tuple[str, str]  # (item, message)


@dataclass(frozen=True)
class Rule:
    """A validation rule: a code, what it asks in words, and its check."""

    code: str
    title: str
    check: Callable[[CensusRecord, CensusYear], list[Finding]]


@dataclass(frozen=True)
class Issue:
    """One error in the report: whose record, which item, which rule."""

    la_child_id: str
    episode_id: int
    item: str
    rule: str
    title: str
    message: str


REPORT_HEADERS = ["LAchildID", "Episode", "Item", "Rule", "What the rule asks", "Error"]


def dates_not_after_year_end(record: CensusRecord, year: CensusYear) -> list[Finding]:
    return [
        (item, f"{item} is after the end of the census year ({year.end:%-d %B %Y}).")
        for item in cin.DATE_ITEMS
        if record.items.get(item) is not None and record.items[item] > year.end
    ]


def decision_not_before_year_start(record: CensusRecord, year: CensusYear) -> list[Finding]:
    decision = record.items.get(cin.STEP_DECISION)
    if decision is not None and decision < year.start:
        return [(cin.STEP_DECISION, f"{cin.STEP_DECISION} is before the census year began ({year.start:%-d %B %Y}).")]
    return []


def _episode_constraint(name: str) -> DateOrderConstraint:
    for constraint in m.PreProceedingsEpisode._meta.constraints:
        if constraint.name == name:
            assert isinstance(constraint, DateOrderConstraint), name
            return constraint
    raise LookupError(name)


def _date_order(name: str) -> Callable[[CensusRecord, CensusYear], list[Finding]]:
    """The episode's date-order constraint ``name`` as a census check on the items it maps to."""
    constraint = _episode_constraint(name)
    later, earlier = cin.EPISODE_ITEMS[constraint.later], cin.EPISODE_ITEMS[constraint.earlier]

    def check(record: CensusRecord, year: CensusYear) -> list[Finding]:
        if constraint.holds(record.items.get(later), record.items.get(earlier)):
            return []
        return [(later, f"{later} is before {earlier}: {constraint.violation_error_message}")]

    return check


def offered_fgdm_says_if_facilitated(record: CensusRecord, year: CensusYear) -> list[Finding]:
    if record.items.get(cin.FGDM_OFFER) is True and record.items.get(cin.FGDM_FAC) is None:
        message = f"{cin.FGDM_FAC} is missing: an offered family group meeting says whether it took place."
        return [(cin.FGDM_FAC, message)]
    return []


def initial_meeting_has_review_count(record: CensusRecord, year: CensusYear) -> list[Finding]:
    if record.items.get(cin.INITIAL_MEETING) is not None and record.items.get(cin.REVIEW_COUNT) is None:
        return [(cin.REVIEW_COUNT, f"{cin.REVIEW_COUNT} is missing: an initial meeting was held.")]
    return []


_OUTCOME_FIELDS = {item: name for name, item in cin.EPISODE_ITEMS.items()}
_OUTCOME_FROM_CODE = {code: value for value, code in cin.PP_OUTCOME_CODES.items()}


def decision_has_outcome(record: CensusRecord, year: CensusYear) -> list[Finding]:
    """The episode's own rule (``PreProceedingsEpisode.clean``): outcome and decision date go together."""
    if record.items.get(cin.STEP_DECISION) is None:
        return []
    episode = m.PreProceedingsEpisode(
        step_decision_date=record.items.get(cin.STEP_DECISION),
        outcome=_OUTCOME_FROM_CODE.get(record.items.get(cin.PP_OUTCOME) or "", record.items.get(cin.PP_OUTCOME) or ""),
    )
    try:
        episode.clean()
    except ValidationError as error:
        messages = error.message_dict.get(_OUTCOME_FIELDS[cin.PP_OUTCOME])
        if messages:
            return [(cin.PP_OUTCOME, f"{cin.PP_OUTCOME} is missing: {messages[0]}")]
    return []


def issued_has_court_application(record: CensusRecord, year: CensusYear) -> list[Finding]:
    if record.items.get(cin.PP_OUTCOME) == cin.PP_OUTCOME_CODES["issue"] and record.items.get(cin.COURT_APP) is None:
        return [(cin.COURT_APP, f"{cin.COURT_APP} is missing: the outcome is that care proceedings were issued.")]
    return []


RULES: tuple[Rule, ...] = (
    Rule("PP01", "Dates are not after the end of the census year", dates_not_after_year_end),
    Rule("PP02", "The step decision is not before the census year began", decision_not_before_year_start),
    Rule("PP03", f"{cin.LBP_SENT} is on or after {cin.PP_START}", _date_order("episode_lbp_after_start")),
    Rule("PP04", f"{cin.STEP_DECISION} is on or after {cin.PP_START}", _date_order("episode_decision_after_start")),
    Rule(
        "PP05", f"{cin.COURT_APP} is on or after {cin.STEP_DECISION}", _date_order("episode_application_after_decision")
    ),
    Rule(
        "PP06", f"{cin.LETTER_INIT_CP} is on or after {cin.COURT_APP}", _date_order("episode_letter_after_application")
    ),
    Rule("PP07", f"{cin.FGDM_FAC} is given when {cin.FGDM_OFFER} is 1", offered_fgdm_says_if_facilitated),
    Rule("PP08", f"{cin.REVIEW_COUNT} is given when {cin.INITIAL_MEETING} is", initial_meeting_has_review_count),
    Rule("PP09", f"{cin.PP_OUTCOME} is given when {cin.STEP_DECISION} is", decision_has_outcome),
    Rule("PP10", f"{cin.COURT_APP} is given when {cin.PP_OUTCOME} is issue", issued_has_court_application),
)


def validate(records: Iterable[CensusRecord], *, year: CensusYear) -> list[Issue]:
    """Every error of every record, by record then rule."""
    issues = []
    for record in records:
        for rule in RULES:
            for item, message in rule.check(record, year):
                issues.append(
                    Issue(
                        la_child_id=record.la_child_id,
                        episode_id=record.episode_id,
                        item=item,
                        rule=rule.code,
                        title=rule.title,
                        message=message,
                    )
                )
    return issues


def report_rows(issues: Iterable[Issue]) -> Iterable[list]:
    for issue in issues:
        yield [issue.la_child_id, issue.episode_id, issue.item, issue.rule, issue.title, issue.message]


def summary(records: list[CensusRecord], issues: list[Issue]) -> dict:
    """Counts for the page and the command: records, children, episodes, errors in all and by rule."""
    by_rule = {rule.code: 0 for rule in RULES}
    for issue in issues:
        by_rule[issue.rule] += 1
    return {
        "records": len(records),
        "children": len({record.la_child_id for record in records}),
        "episodes": len({record.episode_id for record in records}),
        "errors": len(issues),
        "by_rule": [(rule, by_rule[rule.code]) for rule in RULES],
    }
