"""The data dictionary lists every field of every case model, generated from the code."""

from __future__ import annotations

import pytest

from cases import dictionary, permissions

pytestmark = pytest.mark.django_db


def test_it_describes_every_field_of_every_case_model():
    missing = [
        f"{model.__name__}.{field.name}"
        for model in permissions.CASE_MODELS
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not dictionary.field_description(model, field).strip()
    ]
    assert missing == [], "Add help_text (the agreed meaning) to: " + ", ".join(missing)


def test_it_lists_every_field_on_the_page_with_cin_mapping_and_codes(client):
    response = client.get("/data-dictionary/")
    assert response.status_code == 200
    html = response.content.decode()
    for model in permissions.CASE_MODELS:
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            assert f'id="{model._meta.model_name}-{field.name}"' in html, f"{model.__name__}.{field.name}"
    for cin_item in [
        "PPStartDate",
        "LBPSentDate",
        "FGDMMeetingOffer",
        "FGDMMeetingFac",
        "StepDecisionDate",
        "PPOutcome",
        "CourtAppDate",
        "LetterInitCPDate",
        "InitialPPMeetingDate",
    ]:
        assert cin_item in html
    # Reference codes and figures with their source.
    assert "expert_late_report - Expert report late or poor" in html
    assert "Cheshire &amp; Merseyside regional assessment hub practice guide" in html
    assert "E10000012" in html


def test_it_shows_a_field_added_to_a_model(monkeypatch):
    from cases.models import Hearing

    entries = {entry.name: entry for entry in dictionary.build()}
    assert [f.name for f in entries["Hearing"].fields] == [
        f.name for f in [*Hearing._meta.concrete_fields, *Hearing._meta.many_to_many]
    ]


def test_it_says_what_each_comparator_is():
    (table,) = [table for table in dictionary.reference_tables() if table["title"].startswith("Comparators")]
    kinds = {(row[0], row[2]): row[1] for row in table["rows"]}
    # Only national figures for England may be shown under "National" (REFERENCE.md section 4).
    assert kinds[("s31_application_rate", "National application rate (uncertain)")] == "National figure (England)"
    assert kinds[("s31_application_rate", "Essex & Suffolk")] == "The region's own baseline"
    assert kinds[("hearings_per_case", "Tri-borough pilot, after")] == "Good-practice exemplar"
    assert kinds[("pp_step_down_rate", "Essex's own figure")] == "A local authority's own figure"
