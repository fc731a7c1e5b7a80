"""Pre-proceedings episodes and meetings, assessments and delay events through the API: writes through
the services (field by field, with the account in the history), If-Match, rules refused on their
field, tenancy, the read audit and the list's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases.api import pre_proceedings as api_pp
from tests import factories as f
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

EPISODES = "/api/v1/pp-episodes/"
MEETINGS = "/api/v1/pp-meetings/"
ASSESSMENTS = "/api/v1/assessments/"
DELAYS = "/api/v1/delay-events/"


def patch(api, url, data):
    """A correction as a client makes it: read the record, send its ETag back with the change."""
    etag = api.get(url)["ETag"]
    return api.patch(url, data, format="json", HTTP_IF_MATCH=etag)


def errors_of(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.json()
    return [(error["attr"], error["detail"]) for error in response.json()["errors"]]


def history_username(record) -> str:
    return record.history.order_by("-pgh_id").first().pgh_context.metadata["username"]


def open_episode(local_authority, **extra) -> m.PreProceedingsEpisode:
    """An open episode (started 6 January 2025, no decision) of a new family with one child."""
    return f.EpisodeFactory(family=f.FamilyFactory(local_authority=local_authority), **extra)


# -- episodes ---------------------------------------------------------------------------------------


def episode_payload(family, children, **extra):
    return {
        "family": family.pk,
        "children": [child.pk for child in children],
        "gateway_meeting_date": "2026-03-02",
        "gateway_outcome": "start_pre_proceedings",
        "start_date": "2026-03-04",
        "lbp_sent_date": "2026-03-09",
        "fgdm_offered": True,
        "fgdm_offered_date": "2026-03-10",
        "fgdm_facilitated": True,
        "fgdm_held_date": "2026-03-20",
        "previous_pre_proceedings": True,
        "previous_care_proceedings": False,
        "parents_legal_representation": "some",
        "pre_birth": False,
        **extra,
    }


def test_it_creates_an_episode_with_its_children_through_the_service(api, writer, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    first, second = f.ChildFactory(family=family), f.ChildFactory(family=family)
    response = api.post(EPISODES, episode_payload(family, [first, second]), format="json")
    assert response.status_code == 201, response.json()
    episode = m.PreProceedingsEpisode.objects.get(family=family)
    assert (
        episode.gateway_meeting_date,
        episode.gateway_outcome,
        episode.start_date,
        episode.lbp_sent_date,
        episode.fgdm_offered,
        episode.fgdm_offered_date,
        episode.fgdm_facilitated,
        episode.fgdm_held_date,
        episode.previous_pre_proceedings,
        episode.previous_care_proceedings,
        episode.parents_legal_representation,
        episode.pre_birth,
        episode.step_decision_date,
        episode.outcome,
    ) == (
        dt.date(2026, 3, 2),
        c.GatewayOutcome.START_PRE_PROCEEDINGS,
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 9),
        True,
        dt.date(2026, 3, 10),
        True,
        dt.date(2026, 3, 20),
        True,
        False,
        c.LegalRepresentation.SOME,
        False,
        None,
        "",
    )
    assert sorted(episode.children.values_list("pk", flat=True)) == sorted([first.pk, second.pk])
    assert (episode.local_authority, episode.created_by, episode.updated_by) == (la_a, writer, writer)
    assert history_username(episode) == writer.username
    body = response.json()
    assert (body["id"], body["family"], sorted(body["children"]), body["created_by"]) == (
        episode.pk,
        family.pk,
        sorted([first.pk, second.pk]),
        writer.username,
    )
    assert response["Location"] == f"{EPISODES}{episode.pk}/"


def test_it_records_the_decision_on_an_episode_with_the_current_etag(api, writer, la_a):
    episode = open_episode(la_a)
    children = list(episode.children.values_list("pk", flat=True))
    url = f"{EPISODES}{episode.pk}/"
    assert api.patch(url, {"outcome": "issue"}, format="json").status_code == 428
    response = patch(
        api, url, {"step_decision_date": "2025-04-01", "outcome": "issue", "court_application_date": "2025-04-03"}
    )
    assert response.status_code == 200, response.json()
    episode.refresh_from_db()
    assert (episode.step_decision_date, episode.outcome, episode.court_application_date) == (
        dt.date(2025, 4, 1),
        c.PPOutcome.ISSUE,
        dt.date(2025, 4, 3),
    )
    assert episode.updated_by == writer
    assert history_username(episode) == writer.username
    assert list(episode.children.values_list("pk", flat=True)) == children


def test_it_refuses_a_letter_before_the_start_on_its_field_and_saves_nothing(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    child = f.ChildFactory(family=family)
    response = api.post(EPISODES, episode_payload(family, [child], lbp_sent_date="2026-03-03"), format="json")
    assert errors_of(response) == [
        ("lbp_sent_date", "The letter before proceedings must be sent on or after the pre-proceedings start date.")
    ]
    assert not m.PreProceedingsEpisode.objects.exists()


def test_it_refuses_a_child_of_another_family_on_its_field_and_saves_nothing(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    own = f.ChildFactory(family=family)
    stranger = f.ChildFactory(family=f.FamilyFactory(local_authority=la_a))
    response = api.post(EPISODES, episode_payload(family, [own, stranger]), format="json")
    assert errors_of(response) == [("children", "Select only children of the episode's family.")]
    assert not m.PreProceedingsEpisode.objects.exists()
    episode = open_episode(la_a)
    kept = list(episode.children.values_list("pk", flat=True))
    response = patch(api, f"{EPISODES}{episode.pk}/", {"children": [stranger.pk], "pre_birth": True})
    assert errors_of(response) == [("children", "Select only children of the episode's family.")]
    episode.refresh_from_db()
    assert (episode.pre_birth, list(episode.children.values_list("pk", flat=True))) == (False, kept)


# -- meetings ---------------------------------------------------------------------------------------


def test_it_creates_a_meeting_on_an_open_episode_through_the_service(api, writer, la_a):
    episode = open_episode(la_a)
    payload = {"episode": episode.pk, "kind": "initial", "meeting_date": "2025-01-20", "note": "Agreed a plan."}
    response = api.post(MEETINGS, payload, format="json")
    assert response.status_code == 201, response.json()
    meeting = m.PreProceedingsMeeting.objects.get(episode=episode)
    assert (meeting.kind, meeting.meeting_date, meeting.note) == (
        c.MeetingKind.INITIAL,
        dt.date(2025, 1, 20),
        "Agreed a plan.",
    )
    assert (meeting.local_authority, meeting.created_by, meeting.updated_by) == (la_a, writer, writer)
    assert history_username(meeting) == writer.username
    assert response.json()["episode"] == episode.pk


def test_it_corrects_a_meeting_with_the_current_etag(api, writer, la_a):
    meeting = f.MeetingFactory(episode=open_episode(la_a))
    response = patch(api, f"{MEETINGS}{meeting.pk}/", {"kind": "review", "note": "Review of the plan."})
    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.note, meeting.updated_by) == (c.MeetingKind.REVIEW, "Review of the plan.", writer)
    assert history_username(meeting) == writer.username


def test_it_refuses_a_future_or_too_early_meeting_date_on_its_field(api, la_a):
    episode = open_episode(la_a)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for meeting_date, message in (
        (tomorrow, "The meeting date must be today or in the past."),
        ("2025-01-05", "A pre-proceedings meeting must be on or after the start date."),
    ):
        response = api.post(
            MEETINGS, {"episode": episode.pk, "kind": "initial", "meeting_date": meeting_date}, format="json"
        )
        assert errors_of(response) == [("meeting_date", message)]
    assert not m.PreProceedingsMeeting.objects.exists()


def test_it_records_a_new_meeting_only_on_an_open_episode(api, la_a):
    closed = open_episode(la_a, step_decision_date=dt.date(2025, 3, 3), outcome=c.PPOutcome.STEP_DOWN)
    response = api.post(MEETINGS, {"episode": closed.pk, "kind": "review", "meeting_date": "2025-02-03"}, format="json")
    assert [attr for attr, _detail in errors_of(response)] == ["episode"]
    assert not m.PreProceedingsMeeting.objects.exists()


# -- assessments ------------------------------------------------------------------------------------


def test_it_creates_an_assessment_linked_to_the_episode_with_its_target_due_date(api, writer, la_a):
    episode = open_episode(la_a)
    payload = {
        "family": episode.family_id,
        "assessment_type": "parenting",
        "provider": "regional_hub",
        "subject": "Mother",
        "instructed_date": "2026-02-02",
    }
    response = api.post(ASSESSMENTS, payload, format="json")
    assert response.status_code == 201, response.json()
    assessment = m.Assessment.objects.get(family=episode.family)
    # A parenting assessment's target is 8 weeks: 2 February 2026 + 56 days.
    assert (
        assessment.assessment_type_id,
        assessment.provider,
        assessment.subject,
        assessment.instructed_date,
        assessment.due_date,
        assessment.completed_date,
        assessment.outcome,
        assessment.episode,
        assessment.proceedings,
    ) == (
        "parenting",
        c.AssessmentProvider.REGIONAL_HUB,
        "Mother",
        dt.date(2026, 2, 2),
        dt.date(2026, 3, 30),
        None,
        "",
        episode,
        None,
    )
    assert (assessment.local_authority, assessment.created_by, assessment.updated_by) == (la_a, writer, writer)
    assert history_username(assessment) == writer.username
    body = response.json()
    assert (body["episode"], body["proceedings"], body["due_date"]) == (episode.pk, None, "2026-03-30")


def test_it_completes_an_assessment_with_the_current_etag(api, writer, la_a):
    assessment = f.AssessmentFactory(family=f.FamilyFactory(local_authority=la_a))
    response = patch(api, f"{ASSESSMENTS}{assessment.pk}/", {"completed_date": "2025-03-28", "outcome": "positive"})
    assert response.status_code == 200, response.json()
    assessment.refresh_from_db()
    assert (assessment.completed_date, assessment.outcome, assessment.updated_by) == (
        dt.date(2025, 3, 28),
        c.AssessmentOutcome.POSITIVE,
        writer,
    )
    assert history_username(assessment) == writer.username


def test_it_refuses_an_assessment_date_out_of_bounds_or_out_of_order_on_its_field(api, la_a):
    episode = open_episode(la_a)
    base = {"family": episode.family_id, "assessment_type": "parenting", "provider": "in_house"}
    response = api.post(ASSESSMENTS, {**base, "instructed_date": "1850-01-01"}, format="json")
    assert errors_of(response) == [("instructed_date", "The date instructed must be on or after 1 January 1900.")]
    response = api.post(
        ASSESSMENTS, {**base, "instructed_date": "2025-02-03", "completed_date": "2025-02-01"}, format="json"
    )
    assert errors_of(response) == [
        ("completed_date", "The completion date must be on or after the date the assessment was instructed.")
    ]
    assert not m.Assessment.objects.exists()


def test_it_refuses_an_assessment_with_no_stage_to_belong_to(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    payload = {
        "family": family.pk,
        "assessment_type": "parenting",
        "provider": "in_house",
        "instructed_date": "2025-02-03",
    }
    response = api.post(ASSESSMENTS, payload, format="json")
    assert errors_of(response) == [
        ("non_field_errors", "Link the assessment to the pre-proceedings episode or the proceedings.")
    ]
    assert not m.Assessment.objects.exists()


def test_it_takes_only_an_active_assessment_type(api, la_a):
    episode = open_episode(la_a)
    m.AssessmentType.objects.filter(code="isw").update(active=False)
    payload = {
        "family": episode.family_id,
        "assessment_type": "isw",
        "provider": "isw",
        "instructed_date": "2025-02-03",
    }
    response = api.post(ASSESSMENTS, payload, format="json")
    assert [attr for attr, _detail in errors_of(response)] == ["assessment_type"]
    assert not m.Assessment.objects.exists()


@pytest.mark.parametrize("blank", ["", None])
def test_it_refuses_a_correction_that_blanks_the_assessment_type_and_keeps_the_record(api, la_a, blank):
    assessment = f.AssessmentFactory(family=f.FamilyFactory(local_authority=la_a))
    kept = assessment.assessment_type_id
    response = patch(api, f"{ASSESSMENTS}{assessment.pk}/", {"assessment_type": blank})
    assert [attr for attr, _detail in errors_of(response)] == ["assessment_type"]
    assessment.refresh_from_db()
    assert assessment.assessment_type_id == kept


# -- delay events -----------------------------------------------------------------------------------


def test_it_creates_a_delay_linked_to_the_open_proceedings(api, writer, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    f.EpisodeFactory(family=family)
    proceedings = f.ChildProceedingsFactory(proceedings=f.ProceedingsFactory(family=family)).proceedings
    payload = {
        "family": family.pk,
        "event_date": "2025-05-12",
        "delayed_item": "final_hearing",
        "days_lost": 21,
        "reason": "court_no_courtroom",
        "note": "Hearing moved for lack of a courtroom.",
    }
    response = api.post(DELAYS, payload, format="json")
    assert response.status_code == 201, response.json()
    event = m.DelayEvent.objects.get(family=family)
    assert (
        event.event_date,
        event.delayed_item,
        event.days_lost,
        event.reason_id,
        event.note,
        event.proceedings,
        event.episode,
    ) == (
        dt.date(2025, 5, 12),
        c.DelayedItem.FINAL_HEARING,
        21,
        "court_no_courtroom",
        "Hearing moved for lack of a courtroom.",
        proceedings,
        None,
    )
    assert (event.local_authority, event.created_by, event.updated_by) == (la_a, writer, writer)
    assert history_username(event) == writer.username


def test_it_corrects_the_days_lost_with_the_current_etag(api, writer, la_a):
    event = f.DelayEventFactory(family=f.FamilyFactory(local_authority=la_a))
    response = patch(api, f"{DELAYS}{event.pk}/", {"days_lost": 7})
    assert response.status_code == 200, response.json()
    event.refresh_from_db()
    assert (event.days_lost, event.updated_by) == (7, writer)
    assert history_username(event) == writer.username


def test_it_refuses_no_days_lost_a_future_delay_and_an_unknown_item_on_their_fields(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    base = {"family": family.pk, "event_date": "2025-05-12", "delayed_item": "hearing", "days_lost": 3}
    base["reason"] = "court_no_courtroom"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert errors_of(api.post(DELAYS, {**base, "days_lost": 0}, format="json")) == [
        ("days_lost", "Days lost must be 1 or more.")
    ]
    assert errors_of(api.post(DELAYS, {**base, "event_date": tomorrow}, format="json")) == [
        ("event_date", "The date of the delay must be today or in the past.")
    ]
    assert [attr for attr, _ in errors_of(api.post(DELAYS, {**base, "delayed_item": "lunch"}, format="json"))] == [
        "delayed_item"
    ]
    assert not m.DelayEvent.objects.exists()


# -- every endpoint: tenancy, choices, the read audit, the query count ---------------------------------


def make_episode(la):
    return open_episode(la)


def make_meeting(la):
    return f.MeetingFactory(episode=open_episode(la))


def make_assessment(la):
    return f.AssessmentFactory(family=f.FamilyFactory(local_authority=la))


def make_delay(la):
    return f.DelayEventFactory(family=f.FamilyFactory(local_authority=la))


ENDPOINTS = {
    "episodes": (EPISODES, make_episode, lambda record: record.family),
    "meetings": (MEETINGS, make_meeting, lambda record: record.episode.family),
    "assessments": (ASSESSMENTS, make_assessment, lambda record: record.family),
    "delays": (DELAYS, make_delay, lambda record: record.family),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_treats_another_las_record_as_one_that_does_not_exist(api, la_b, endpoint):
    url, make, _family = ENDPOINTS[endpoint]
    theirs = make(la_b)
    assert api.get(f"{url}{theirs.pk}/").status_code == 404
    response = api.patch(f"{url}{theirs.pk}/", {"note": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert api.get(url).json()["results"] == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_does_not_move_a_record_to_another_family_or_episode(api, la_a, endpoint):
    url, make, _family = ENDPOINTS[endpoint]
    record = make(la_a)
    link = "episode" if endpoint == "meetings" else "family"
    other = open_episode(la_a)
    response = patch(api, f"{url}{record.pk}/", {link: other.pk if link == "episode" else other.family_id})
    assert errors_of(response) == [(link, "This is set when the record is created and cannot be changed.")]
    record.refresh_from_db()
    assert getattr(record, f"{link}_id") != getattr(other, "pk" if link == "episode" else "family_id")


def test_it_refuses_a_link_to_another_las_family_or_episode_on_its_field(api, la_a, la_b):
    theirs = open_episode(la_b)
    family, child = theirs.family, theirs.children.get()
    own = f.ChildFactory(family=f.FamilyFactory(local_authority=la_a))
    response = api.post(EPISODES, episode_payload(family, [own]), format="json")
    assert [attr for attr, _ in errors_of(response)] == ["family"]
    own_family = own.family
    response = api.post(EPISODES, episode_payload(own_family, [child]), format="json")
    assert [attr for attr, _ in errors_of(response)] == ["children"]
    response = api.post(
        MEETINGS, {"episode": theirs.pk, "kind": "initial", "meeting_date": "2025-01-20"}, format="json"
    )
    assert [attr for attr, _ in errors_of(response)] == ["episode"]
    payload = {
        "family": family.pk,
        "assessment_type": "parenting",
        "provider": "in_house",
        "instructed_date": "2025-02-03",
    }
    assert [attr for attr, _ in errors_of(api.post(ASSESSMENTS, payload, format="json"))] == ["family"]
    payload = {"family": family.pk, "event_date": "2025-05-12", "delayed_item": "hearing", "days_lost": 3}
    payload["reason"] = "court_no_courtroom"
    assert [attr for attr, _ in errors_of(api.post(DELAYS, payload, format="json"))] == ["family"]
    assert not m.PreProceedingsEpisode.objects.filter(local_authority=la_a).exists()
    assert not m.PreProceedingsMeeting.objects.exists()
    assert not m.Assessment.objects.exists()
    assert not m.DelayEvent.objects.exists()


def test_it_offers_the_models_choices_on_every_choice_field():
    serializers = (
        api_pp.EpisodeSerializer,
        api_pp.PPMeetingSerializer,
        api_pp.AssessmentSerializer,
        api_pp.DelayEventSerializer,
    )
    seen = set()
    for serializer_class in serializers:
        model = serializer_class.Meta.model
        for name, field in serializer_class().fields.items():
            if hasattr(field, "choices") and not hasattr(field, "queryset") and not hasattr(field, "child_relation"):
                assert list(field.choices) == [value for value, _label in model._meta.get_field(name).choices], name
                seen.add((model.__name__, name))
    assert seen == {
        ("PreProceedingsEpisode", "gateway_outcome"),
        ("PreProceedingsEpisode", "parents_legal_representation"),
        ("PreProceedingsEpisode", "outcome"),
        ("PreProceedingsMeeting", "kind"),
        ("Assessment", "provider"),
        ("Assessment", "outcome"),
        ("DelayEvent", "delayed_item"),
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_records_a_list_and_a_record_read_in_the_read_audit(api, writer, la_a, endpoint):
    url, make, family_of = ENDPOINTS[endpoint]
    record = make(la_a)
    family = family_of(record)
    # Two children: the read shows the family's, every one of them.
    while family.children.count() < 2:
        f.ChildFactory(family=family)
    children = sorted(family.children.values_list("pk", flat=True))
    api.get(url)
    api.get(f"{url}{record.pk}/")
    reads = list(m.ReadAudit.objects.order_by("pk"))
    assert [(r.kind, r.username, r.family_ids, sorted(r.child_ids)) for r in reads] == [
        ("api", writer.username, [family.pk], children),
        ("api", writer.username, [family.pk], children),
    ]
    basename = url.strip("/").split("/")[-1].replace("-", "_")
    assert [r.route_name for r in reads] == [f"api:{basename}-list", f"api:{basename}-detail"]


ENDPOINTS_MODELS = {
    "episodes": m.PreProceedingsEpisode,
    "meetings": m.PreProceedingsMeeting,
    "assessments": m.Assessment,
    "delays": m.DelayEvent,
}
# The LA unset, knox's token and its user (two), the LA set, the page, the episodes' children
# (episodes only) and the audit row: whatever the number of rows. A token call has no session.
LIST_QUERIES = {"episodes": 7, "meetings": 6, "assessments": 6, "delays": 6}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lists_in_a_number_of_queries_that_does_not_grow_with_the_rows(
    api, la_a, endpoint, django_assert_num_queries
):
    url, make, _family = ENDPOINTS[endpoint]
    for rows in (2, 6):
        for _ in range(rows - ENDPOINTS_MODELS[endpoint].objects.count()):
            make(la_a)
        with django_assert_num_queries(LIST_QUERIES[endpoint]):
            response = api.get(url)
        assert len(response.json()["results"]) == rows


def test_it_filters_each_list_by_family(api, la_a):
    for url, make, family_of in ENDPOINTS.values():
        wanted, _other = make(la_a), make(la_a)
        rows = api.get(url, {"family": family_of(wanted).pk}).json()["results"]
        assert [row["id"] for row in rows] == [wanted.pk], url


def test_it_refuses_writes_to_a_read_only_token(reader, la_a):
    episode = open_episode(la_a)
    client = token_client(reader)
    assert client.get(EPISODES).status_code == 200
    response = client.post(
        MEETINGS, {"episode": episode.pk, "kind": "initial", "meeting_date": "2025-01-20"}, format="json"
    )
    assert response.status_code == 403
    assert not m.PreProceedingsMeeting.objects.exists()
