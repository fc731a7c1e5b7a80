"""Each CIN census pre-proceedings validation rule, with a record that passes it and one that breaks it."""

from __future__ import annotations

import datetime as dt

import pytest

from cases import models as m
from cases.extracts import validation
from cases.extracts.census import CensusRecord, CensusYear

D = dt.date
YEAR = CensusYear(2025)  # 1 April 2025 to 31 March 2026
RULES = {rule.code: rule for rule in validation.RULES}

# A complete, valid issued episode: every rule passes it.
VALID = {
    "PPStartDate": D(2025, 5, 6),
    "LBPSentDate": D(2025, 5, 9),
    "FGDMMeetingOffer": True,
    "FGDMMeetingFac": False,
    "InitialPPMeetingDate": D(2025, 5, 20),
    "ReviewMeetingsCount": 2,
    "StepDecisionDate": D(2025, 10, 1),
    "PPOutcome": "issue",
    "CourtAppDate": D(2025, 10, 8),
    "LetterInitCPDate": D(2025, 10, 9),
}


def record(**changes) -> CensusRecord:
    return CensusRecord(episode_id=7, child={"LAchildID": "A0001"}, items=VALID | changes)


def findings(code: str, rec: CensusRecord) -> list[tuple[str, str]]:
    return RULES[code].check(rec, YEAR)


def constraint_message(name: str) -> str:
    return next(x for x in m.PreProceedingsEpisode._meta.constraints if x.name == name).violation_error_message


def test_it_passes_a_valid_record_on_every_rule():
    assert validation.validate([record()], year=YEAR) == []


# (rule, passing changes, failing changes, item named, words in the message)
CASES = [
    ("PP01", {"LetterInitCPDate": D(2026, 3, 31)}, {"LetterInitCPDate": D(2026, 4, 1)}, "LetterInitCPDate", "after"),
    (
        "PP01",
        {"PPStartDate": D(2024, 1, 1), "LBPSentDate": D(2024, 1, 2)},
        {"LBPSentDate": D(2026, 4, 2)},
        "LBPSentDate",
        "after",
    ),
    (
        "PP02",
        {"StepDecisionDate": D(2025, 4, 1)},
        {"PPStartDate": D(2025, 1, 1), "LBPSentDate": None, "StepDecisionDate": D(2025, 3, 31)},
        "StepDecisionDate",
        "before",
    ),
    (
        "PP03",
        {"LBPSentDate": D(2025, 5, 6)},
        {"LBPSentDate": D(2025, 5, 5)},
        "LBPSentDate",
        constraint_message("episode_lbp_after_start"),
    ),
    (
        "PP04",
        {"StepDecisionDate": D(2025, 5, 6), "LBPSentDate": None},
        {"StepDecisionDate": D(2025, 5, 5), "LBPSentDate": None},
        "StepDecisionDate",
        constraint_message("episode_decision_after_start"),
    ),
    (
        "PP05",
        {"CourtAppDate": D(2025, 10, 1), "LetterInitCPDate": None},
        {"CourtAppDate": D(2025, 9, 30), "LetterInitCPDate": None},
        "CourtAppDate",
        constraint_message("episode_application_after_decision"),
    ),
    (
        "PP06",
        {"LetterInitCPDate": D(2025, 10, 8)},
        {"LetterInitCPDate": D(2025, 10, 7)},
        "LetterInitCPDate",
        constraint_message("episode_letter_after_application"),
    ),
    (
        "PP07",
        {"FGDMMeetingOffer": False, "FGDMMeetingFac": None},
        {"FGDMMeetingOffer": True, "FGDMMeetingFac": None},
        "FGDMMeetingFac",
        "took place",
    ),
    (
        "PP08",
        {"InitialPPMeetingDate": None, "ReviewMeetingsCount": None},
        {"ReviewMeetingsCount": None},
        "ReviewMeetingsCount",
        "initial meeting",
    ),
    (
        "PP09",
        {"StepDecisionDate": None, "PPOutcome": None, "CourtAppDate": None, "LetterInitCPDate": None},
        {"PPOutcome": None, "CourtAppDate": None, "LetterInitCPDate": None},
        "PPOutcome",
        "Record the outcome and the decision date together.",
    ),
    (
        "PP10",
        {"PPOutcome": "step_down", "CourtAppDate": None, "LetterInitCPDate": None},
        {"CourtAppDate": None, "LetterInitCPDate": None},
        "CourtAppDate",
        "issued",
    ),
]


@pytest.mark.parametrize(("code", "passing", "failing", "item", "words"), CASES)
def test_it_passes_and_fails_each_rule(code, passing, failing, item, words):
    assert findings(code, record(**passing)) == []

    found = findings(code, record(**failing))

    assert [named for named, _message in found] == [item]
    assert words in found[0][1]


def test_it_covers_every_rule_with_a_case():
    assert {case[0] for case in CASES} == set(RULES)


def test_it_reports_each_error_with_the_child_the_item_and_the_rule():
    issues = validation.validate(
        [record(LBPSentDate=D(2025, 5, 1), CourtAppDate=None, LetterInitCPDate=None)], year=YEAR
    )

    assert [(i.la_child_id, i.episode_id, i.item, i.rule) for i in issues] == [
        ("A0001", 7, "LBPSentDate", "PP03"),
        ("A0001", 7, "CourtAppDate", "PP10"),
    ]
    rows = list(validation.report_rows(issues))
    assert rows[0][:5] == ["A0001", 7, "LBPSentDate", "PP03", "LBPSentDate is on or after PPStartDate"]


def test_it_takes_the_date_order_rules_from_the_episode_model():
    # The census rule is the model's constraint: its fields are the ones the items map to.
    constraint = next(x for x in m.PreProceedingsEpisode._meta.constraints if x.name == "episode_lbp_after_start")
    assert (constraint.later, constraint.earlier) == ("lbp_sent_date", "start_date")
    assert constraint.holds(D(2025, 5, 6), D(2025, 5, 6))
    assert not constraint.holds(D(2025, 5, 5), D(2025, 5, 6))
    assert constraint.holds(None, D(2025, 5, 6))
    assert constraint.holds(D(2025, 5, 6), None)


def test_it_summarises_errors_by_rule():
    records = [record(), record(FGDMMeetingFac=None)]

    summary = validation.summary(records, validation.validate(records, year=YEAR))

    assert (summary["records"], summary["children"], summary["episodes"], summary["errors"]) == (2, 1, 1, 1)
    assert [(rule.code, count) for rule, count in summary["by_rule"] if count] == [("PP07", 1)]
