"""Case pages and milestone forms: access for every view, validation, double submits, corrections
and query counts that do not grow with the number of cases or milestones."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def case(la_a, social_worker):
    """An Essex case in proceedings with one record of every kind."""
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Accesscheck")
    child = f.ChildFactory(family=family, first_name="Ava")
    episode = f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=D(2025, 1, 6),
        start_date=D(2025, 1, 6),
        step_decision_date=D(2025, 4, 1),
        outcome=c.PPOutcome.ISSUE,
    )
    proceedings = f.ProceedingsFactory(family=family, episode=episode, issue_date=D(2025, 4, 7))
    part = f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    return {
        "family": family,
        "child": child,
        "episode": episode,
        "pp-meeting": f.MeetingFactory(episode=episode),
        "proceedings": proceedings,
        "child-order": part,
        "hearing": f.HearingFactory(proceedings=proceedings),
        "extension": f.ExtensionFactory(child_proceedings=part),
        "assessment": f.AssessmentFactory(family=family, episode=episode),
        "delay": f.DelayEventFactory(family=family, proceedings=proceedings),
    }


def case_urls(case) -> dict[str, str]:
    family = case["family"]
    urls = {
        "detail": reverse("cases:detail", args=[family.pk]),
    }
    for kind in ("child", "episode", "pp-meeting", "proceedings", "hearing", "extension", "assessment", "delay"):
        urls[f"new {kind}"] = reverse("cases:milestone_new", args=[family.pk, kind])
    edit_records = {
        "child": case["child"],
        "episode": case["episode"],
        "letter": case["episode"],
        "family-meeting": case["episode"],
        "decision": case["episode"],
        "pp-meeting": case["pp-meeting"],
        "proceedings": case["proceedings"],
        "hearing": case["hearing"],
        "extension": case["extension"],
        "child-order": case["child-order"],
        "assessment": case["assessment"],
        "delay": case["delay"],
    }
    for kind, record in edit_records.items():
        urls[f"edit {kind}"] = reverse("cases:milestone_edit", args=[family.pk, kind, record.pk])
    return urls


def test_it_sends_anonymous_users_to_sign_in_from_every_case_url(client, case):
    for name, url in {**case_urls(case), "list": reverse("cases:list"), "new": reverse("cases:new")}.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


def test_it_gives_another_las_user_a_404_on_every_case_url(client, case, other_la_user):
    sign_in(client, other_la_user)
    for name, url in case_urls(case).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {}).status_code == 404, name
    # ...and the case is not in their list, even when searched for.
    response = client.get(reverse("cases:list"), {"q": "Accesscheck", "scope": "all"})
    assert response.context["rows"] == []
    assert b"Ava " not in response.content


def test_it_gives_board_members_and_analysts_no_case_pages(client, case, board_member, analyst):
    for user in (board_member, analyst):
        sign_in(client, user)
        for name, url in {**case_urls(case), "list": reverse("cases:list"), "new": reverse("cases:new")}.items():
            assert client.get(url).status_code == 403, name


def test_it_lets_read_only_users_view_but_not_change(client, case, chair):
    sign_in(client, chair)
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.get(case_urls(case)["detail"]).status_code == 200
    for name, url in case_urls(case).items():
        if name == "detail":
            continue
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"listed_date_day": "1"}).status_code == 403, name
    assert client.post(reverse("cases:new"), {}).status_code == 403


def test_it_lets_the_social_worker_open_every_form(client, case, social_worker):
    sign_in(client, social_worker)
    for name, url in case_urls(case).items():
        if name == "new pp-meeting":
            # The episode was decided: a meeting needs an open episode, and the page says so.
            response = client.get(url, follow=True)
            assert b"Record the legal gateway decision to start pre-proceedings first." in response.content
            continue
        assert client.get(url).status_code == 200, name


def test_it_refuses_a_record_of_another_case_through_this_cases_url(client, case, social_worker, la_a):
    other = f.HearingFactory(proceedings__family__local_authority=la_a)
    sign_in(client, social_worker)
    url = reverse("cases:milestone_edit", args=[case["family"].pk, "hearing", other.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("cases:milestone_new", args=[case["family"].pk, "nonsense"])).status_code == 404


def hearing_post(**overrides):
    data = {
        "hearing_type": "further_cmh",
        "listed_date_day": "12",
        "listed_date_month": "5",
        "listed_date_year": "2025",
        "listed_on_day": "1",
        "listed_on_month": "5",
        "listed_on_year": "2025",
        "status": "adjourned",
        "reason": "expert_late_report",
        "submission": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def test_it_saves_nothing_and_names_the_field_when_a_rule_is_broken(client, case, social_worker):
    sign_in(client, social_worker)
    url = reverse("cases:milestone_new", args=[case["family"].pk, "hearing"])
    before = list(m.Hearing.objects.values())

    # A correction to "adjourned" with no reason.
    edit = reverse("cases:milestone_edit", args=[case["family"].pk, "hearing", case["hearing"].pk])
    response = client.post(edit, hearing_post(reason=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Select the reason the hearing was adjourned."]}
    assert b'href="#id_reason"' in response.content  # the error summary links to the field
    assert list(m.Hearing.objects.values()) == before

    response = client.post(url, hearing_post(listed_date_day="", listed_date_month="", listed_date_year=""))
    assert response.context["form"].errors["listed_date"] == ["Enter the listed date"]
    response = client.post(url, hearing_post(listed_date_day="31", listed_date_month="4"))
    assert response.context["form"].errors["listed_date"] == ["The listed date must be a real date"]
    response = client.post(url, hearing_post(listed_date_year="2024"))
    assert response.context["form"].errors["listed_date"] == [
        "A hearing cannot be listed before the application was issued."
    ]
    assert list(m.Hearing.objects.values()) == before


def test_it_does_not_duplicate_a_double_submit(client, case, social_worker):
    sign_in(client, social_worker)
    url = reverse("cases:milestone_new", args=[case["family"].pk, "hearing"])
    before = m.Hearing.objects.count()
    token = uuid.uuid4().hex
    first = client.post(url, hearing_post(submission=token))
    second = client.post(url, hearing_post(submission=token))
    assert first.status_code == second.status_code == 302
    assert m.Hearing.objects.count() == before + 1
    # A failed attempt does not use the token up: the corrected form can be sent.
    retry = uuid.uuid4().hex
    client.post(url, hearing_post(submission=retry, listed_date_day=""))
    client.post(url, hearing_post(submission=retry))
    assert m.Hearing.objects.count() == before + 2


def test_it_records_a_correction_in_the_history_with_who_made_it(client, case, social_worker):
    sign_in(client, social_worker)
    hearing = case["hearing"]
    url = reverse("cases:milestone_edit", args=[case["family"].pk, "hearing", hearing.pk])
    response = client.post(
        url,
        hearing_post(hearing_type="cmh", status="held", reason="", listed_date_day="22", listed_date_month="4"),
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.listed_date == D(2025, 4, 22)
    assert hearing.updated_by == social_worker
    update = hearing.history.filter(pgh_label="update").order_by("-pgh_id").first()
    assert update.listed_date == D(2025, 4, 22)
    assert update.pgh_context.metadata["user"] == social_worker.pk
    assert hearing.history.filter(pgh_label="insert").get().listed_date == D(2025, 4, 21)


def test_it_concludes_proceedings_when_the_last_child_has_a_final_order(client, case, social_worker):
    proceedings = case["proceedings"]
    second = f.ChildProceedingsFactory(proceedings=proceedings)
    sign_in(client, social_worker)

    def final_order(part, day):
        url = reverse("cases:milestone_edit", args=[case["family"].pk, "child-order", part.pk])
        data = {
            "final_outcome": "care_order",
            "final_outcome_date_day": str(day),
            "final_outcome_date_month": "10",
            "final_outcome_date_year": "2025",
        }
        assert client.post(url, data).status_code == 302

    final_order(case["child-order"], 6)
    proceedings.refresh_from_db()
    assert proceedings.concluded_date is None  # one child still waits
    final_order(second, 20)
    proceedings.refresh_from_db()
    assert proceedings.concluded_date == D(2025, 10, 20)


def test_it_opens_a_case_with_its_first_child(client, social_worker):
    sign_in(client, social_worker)
    data = {
        "name": "Newfamily",
        "la_reference": "NF-1",
        "team": social_worker.team_id,
        "child_first_name": "",
        "child_last_name": "Newfamily",
        "child_la_id": "NF-C1",
        "child_date_of_birth_day": "",
        "child_date_of_birth_month": "",
        "child_date_of_birth_year": "",
        "child_expected_due_date_day": "1",
        "child_expected_due_date_month": "3",
        "child_expected_due_date_year": "2027",
        "child_sex": "U",
        "child_ethnicity": "NOBT",
    }
    response = client.post(reverse("cases:new"), data)
    family = m.Family.objects.get(la_reference="NF-1")
    assert response.url == reverse("cases:detail", args=[family.pk])
    assert family.social_worker == social_worker
    assert family.children.get().is_unborn
    # Neither a date of birth nor a due date: the child's rule is shown on the form, nothing saved.
    data.update(la_reference="NF-2", child_la_id="NF-C2", child_expected_due_date_day="")
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 200
    assert "The expected due date must include a day" in str(response.context["form"].errors)
    data.update(child_expected_due_date_month="", child_expected_due_date_year="")
    response = client.post(reverse("cases:new"), data)
    assert response.context["form"].errors["child_date_of_birth"] == [
        "Enter a date of birth, or an expected due date for an unborn child."
    ]
    assert not m.Family.objects.filter(la_reference="NF-2").exists()


def open_case(la, worker, n):
    family = f.FamilyFactory(local_authority=la, social_worker=worker, name=f"Listcase{n}")
    f.EpisodeFactory(family=family, gateway_meeting_date=D(2026, 1, 5), start_date=D(2026, 1, 5))
    return family


def test_it_lists_my_cases_my_teams_or_the_las(client, la_a, social_worker, team_manager):
    mine = open_case(la_a, social_worker, 1)
    colleague = f.UserFactory(local_authority=la_a, team=social_worker.team)
    theirs = open_case(la_a, colleague, 2)
    elsewhere_team = m.Team.objects.filter(local_authority=la_a).exclude(pk=social_worker.team_id).first()
    elsewhere = open_case(la_a, f.UserFactory(local_authority=la_a, team=elsewhere_team), 3)
    elsewhere.team = elsewhere_team
    elsewhere.save()
    mine.team = theirs.team = social_worker.team
    mine.save()
    theirs.save()

    def listed(user, **params):
        sign_in(client, user)
        return {row["case"].pk for row in client.get(reverse("cases:list"), params).context["rows"]}

    assert listed(social_worker) == {mine.pk}
    assert listed(team_manager) == {mine.pk, theirs.pk}
    assert listed(social_worker, scope="all") == {mine.pk, theirs.pk, elsewhere.pk}
    assert listed(social_worker, scope="all", q="listcase2") == {theirs.pk}
    child = theirs.children.first()
    assert listed(social_worker, scope="all", q=child.la_child_id) == {theirs.pk}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_pins_the_case_list_queries_whatever_the_number_of_cases(client, la_a, social_worker):
    sign_in(client, social_worker)
    url = reverse("cases:list")
    open_case(la_a, social_worker, 0)
    few = count_queries(client, url)
    for n in range(1, 12):
        open_case(la_a, social_worker, n)
    assert count_queries(client, url) == few
    # Two of them the signed-in user's authenticator app (django-otp) and the LA set for the
    # transaction (row-level security), one the read audit's insert.
    assert few <= 10


def test_it_pins_the_case_page_queries_whatever_the_number_of_milestones(client, case, social_worker):
    sign_in(client, social_worker)
    url = case_urls(case)["detail"]
    few = count_queries(client, url)
    proceedings, part = case["proceedings"], case["child-order"]
    for day in range(1, 10):
        f.HearingFactory(proceedings=proceedings, listed_date=D(2025, 5, day))
        f.AssessmentFactory(family=case["family"], episode=case["episode"])
        f.DelayEventFactory(family=case["family"], proceedings=proceedings)
        f.MeetingFactory(episode=case["episode"], meeting_date=D(2025, 2, day), kind=c.MeetingKind.REVIEW)
    f.ExtensionFactory(child_proceedings=part, granted_date=D(2025, 12, 1), new_end_date=D(2026, 1, 26))
    f.ChildProceedingsFactory(proceedings=proceedings)
    assert count_queries(client, url) == few
    # One more than before the one next-due engine: the page reads its stored tracker facts and, in
    # court, the next listed hearing, where it read the thresholds once. One more for the read
    # audit's insert. Two more for the status and timetable: the thresholds (the flags' words) and
    # the hearings listed now (next due reads the same facts row). One more for the current breach
    # forecast model (none here: the forecast is not shown, so its rows are not read). One more for
    # the tracker meeting decisions on the timeline. Four more for the people around the case (parents
    # and carers with their other families, professionals), its notes and its document links.
    assert few <= 29
