"""Find any family (issue 17 item 5): the search finds open and closed families by name, child's
date of birth or reference; opening a case checks for a duplicate first; a closed family is
reopened for a repeat episode instead of being opened again. All within the user's LA."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import selectors, services
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
BORN = D(2019, 8, 23)


def closed_family(la, *, name="Fairweather", born=BORN, worker=None, proceedings=False):
    """A family stepped down in 2024 (and, with ``proceedings``, in care proceedings in 2022-23)."""
    family = f.FamilyFactory(local_authority=la, name=name, social_worker=worker)
    child = f.ChildFactory(family=family, first_name="Jo", last_name=name, date_of_birth=born)
    if proceedings:
        application = f.ProceedingsFactory(family=family, issue_date=D(2022, 5, 3), concluded_date=D(2023, 1, 9))
        f.ChildProceedingsFactory(proceedings=application, child=child)
    f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=D(2024, 1, 8),
        step_decision_date=D(2024, 4, 30),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    return family


OTHER_DAY = D(2020, 1, 2)


def open_family(la, *, name="Openfamily", born=OTHER_DAY, worker=None):
    family = f.FamilyFactory(local_authority=la, name=name, social_worker=worker)
    child = f.ChildFactory(family=family, last_name=name, date_of_birth=born)
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=timezone.localdate() - dt.timedelta(weeks=2))
    return family


# ---------------------------------------------------------------------------
# Search by date of birth, open and closed, LA scoped
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "23/8/2019",
        "23/08/2019",
        "23-8-2019",
        "23.8.2019",
        "23 8 2019",
        "2019-08-23",
        "23 August 2019",
        "23 aug 2019",
        "  23/8/2019 ",
    ],
)
def test_it_finds_a_closed_family_by_a_childs_date_of_birth_however_typed(la_a, la_b, social_worker, typed):
    closed = closed_family(la_a)
    open_family(la_a)  # born on another day
    closed_family(la_b)  # the same child's date of birth in Suffolk: never found from Essex
    assert list(selectors.family_search(user=social_worker, query=typed).values_list("pk", flat=True)) == [closed.pk]


@pytest.mark.parametrize("typed", ["32/8/2019", "23/13/2019", "2019", "23/8", "8/23/2019x"])
def test_it_matches_no_date_of_birth_for_what_is_not_a_date(la_a, social_worker, typed):
    closed_family(la_a)
    assert not selectors.family_search(user=social_worker, query=typed).exists()


def test_the_case_list_finds_a_closed_family_by_date_of_birth_marked_closed(client, la_a, la_b, social_worker):
    closed = closed_family(la_a, worker=social_worker)
    still_open = open_family(la_a, name="Samedob", born=BORN, worker=social_worker)
    closed_family(la_b, name="Suffolkfamily")
    sign_in(client, social_worker)
    response = client.get(reverse("cases:list"), {"q": "23/8/2019"})
    rows = response.context["rows"]
    assert [(row["case"].pk, row["closed"]) for row in rows] == [(still_open.pk, False), (closed.pk, True)]
    html = response.content.decode()
    assert "Suffolkfamily" not in html
    row_html = html[html.index(f'data-case="{closed.pk}"') :].split("</tr>")[0]
    assert 'govuk-tag--grey">Closed</strong>' in row_html
    assert "child's date of birth" in html  # the hint says it can


def test_a_search_of_my_cases_offers_the_whole_la(client, la_a, social_worker):
    closed_family(la_a)  # nobody's now
    sign_in(client, social_worker)
    response = client.get(reverse("cases:list"), {"q": "Fairweather"})
    assert response.context["rows"] == []
    html = response.content.decode()
    assert 'href="?scope=all&amp;q=Fairweather" id="search-all"' in html
    assert len(client.get(reverse("cases:list"), {"q": "Fairweather", "scope": "all"}).context["rows"]) == 1


# ---------------------------------------------------------------------------
# The duplicate check when opening a case
# ---------------------------------------------------------------------------


def new_case(**changes) -> dict:
    data = {
        "name": "Fairweather",
        "la_reference": "NEW-1",
        "child_first_name": "Jo",
        "child_last_name": "FAIRWEATHER ",
        "child_la_id": "NEW-C1",
        "child_date_of_birth_day": "23",
        "child_date_of_birth_month": "8",
        "child_date_of_birth_year": "2019",
        "child_expected_due_date_day": "",
        "child_expected_due_date_month": "",
        "child_expected_due_date_year": "",
        "child_sex": "F",
        "child_ethnicity": "NOBT",
        "submission": uuid.uuid4().hex,
    }
    data.update(changes)
    return data


@pytest.fixture
def duplicates(la_a, la_b):
    return {
        "closed": closed_family(la_a),
        # Same date of birth, child's surname differs but the family's name matches.
        "by_family_name": closed_family(la_a, name="Fairweather-Jones", born=BORN),
        "open": open_family(la_a, name="Fairweather", born=BORN),
        "other_day": open_family(la_a, name="Fairweather", born=D(2019, 8, 24)),
        "other_la": closed_family(la_b),
    }


def test_it_warns_of_possible_duplicates_and_saves_nothing_until_confirmed(client, social_worker, duplicates):
    duplicates["by_family_name"].children.update(last_name="Jones")
    duplicates["by_family_name"].name = "Fairweather"
    duplicates["by_family_name"].save()
    sign_in(client, social_worker)
    families = m.Family.objects.count()
    data = new_case(team=social_worker.team_id)
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 200
    assert m.Family.objects.count() == families  # nothing saved
    listed = [row["case"].pk for row in response.context["duplicates"]]
    # Open first, then closed by name; never another day's child or another LA's family.
    expected = [duplicates["open"].pk, duplicates["closed"].pk, duplicates["by_family_name"].pk]
    assert sorted(listed) == sorted(expected)
    assert listed[0] == duplicates["open"].pk
    html = response.content.decode()
    start = html.index('id="duplicates"')
    warning = html[start : html.index("</form>", start)]
    assert "This family may already have a case" in warning
    for pk in expected:
        assert f'href="{reverse("cases:detail", args=[pk])}"' in warning
    assert f'data-case="{duplicates["other_day"].pk}"' not in warning
    assert f'data-case="{duplicates["other_la"].pk}"' not in warning
    closed_item = warning[warning.index(f'data-case="{duplicates["closed"].pk}"') :].split("</li>")[0]
    assert 'govuk-tag--grey">Closed</strong>' in closed_item
    assert "born 23 Aug 2019" in closed_item
    confirm = ",".join(str(pk) for pk in sorted(expected))
    assert f'name="confirm_duplicates" value="{confirm}"' in warning
    assert "This is a different family: open the new case" in warning
    # The families listed are in the read audit.
    read = m.ReadAudit.objects.latest("pk")
    assert (read.route_name, sorted(read.family_ids)) == ("cases:new", sorted(expected))

    # Confirmed: the new case is opened, once.
    response = client.post(reverse("cases:new"), {**data, "confirm_duplicates": confirm})
    family = m.Family.objects.get(la_reference="NEW-1")
    assert response.url == reverse("cases:detail", args=[family.pk])
    assert m.Family.objects.count() == families + 1
    child = family.children.get()
    assert (child.last_name, child.date_of_birth, child.la_child_id) == ("FAIRWEATHER", BORN, "NEW-C1")
    assert family.history.filter(pgh_label="insert").get().pgh_context.metadata["user"] == social_worker.pk


def test_a_confirmation_covers_only_the_families_it_was_shown(client, social_worker, duplicates):
    sign_in(client, social_worker)
    data = new_case(team=social_worker.team_id, confirm_duplicates=str(duplicates["closed"].pk))
    response = client.post(reverse("cases:new"), data)
    # The open family was not confirmed: warned again, nothing saved.
    assert response.status_code == 200
    assert duplicates["open"].pk in {row["case"].pk for row in response.context["duplicates"]}
    assert not m.Family.objects.filter(la_reference="NEW-1").exists()
    # Junk in the field is no confirmation either.
    response = client.post(reverse("cases:new"), {**data, "confirm_duplicates": "x,,-1"})
    assert response.status_code == 200
    assert response.context["duplicates"]


def test_it_opens_a_case_with_no_warning_when_nothing_matches(client, social_worker, duplicates):
    sign_in(client, social_worker)
    # Another day, and an unborn child (no date of birth), match nothing.
    response = client.post(reverse("cases:new"), new_case(team=social_worker.team_id, child_date_of_birth_day="25"))
    assert response.status_code == 302
    unborn = new_case(
        team=social_worker.team_id,
        la_reference="NEW-2",
        child_la_id="NEW-C2",
        submission=uuid.uuid4().hex,
        child_first_name="",
        child_date_of_birth_day="",
        child_date_of_birth_month="",
        child_date_of_birth_year="",
        child_expected_due_date_day="1",
        child_expected_due_date_month="3",
        child_expected_due_date_year=str(timezone.localdate().year + 1),
        child_sex="U",
    )
    assert client.post(reverse("cases:new"), unborn).status_code == 302
    assert m.Family.objects.filter(la_reference__in=["NEW-1", "NEW-2"]).count() == 2


def test_the_form_errors_come_before_the_duplicate_check(client, social_worker, duplicates):
    sign_in(client, social_worker)
    response = client.post(reverse("cases:new"), new_case(team=social_worker.team_id, child_la_id=""))
    assert response.status_code == 200
    assert response.context["form"].errors["child_la_id"] == ["This field is required."]
    assert "duplicates" not in response.context
    assert not m.Family.objects.filter(la_reference="NEW-1").exists()


def test_another_las_user_is_never_warned_of_this_las_families(client, other_la_user, duplicates):
    sign_in(client, other_la_user)
    team = m.Team.objects.filter(local_authority=other_la_user.local_authority).first()
    response = client.post(reverse("cases:new"), new_case(team=team.pk))
    listed = {row["case"].pk for row in response.context["duplicates"]}
    assert listed == {duplicates["other_la"].pk}


# ---------------------------------------------------------------------------
# Reopen a closed family for a repeat episode
# ---------------------------------------------------------------------------


def reopen_post(family, **changes) -> dict:
    data = {
        "gateway_meeting_date_day": "2",
        "gateway_meeting_date_month": "11",
        "gateway_meeting_date_year": str(timezone.localdate().year - 1),
        "start_date_day": "",
        "start_date_month": "",
        "start_date_year": "",
        "children": [child.pk for child in family.children.all()],
        "parents_legal_representation": c.LegalRepresentation.UNKNOWN,
        "submission": uuid.uuid4().hex,
    }
    data.update(changes)
    return data


def test_it_offers_reopening_on_a_closed_familys_page_to_staff_who_may_write(client, la_a, social_worker, chair):
    closed = closed_family(la_a)
    still_open = open_family(la_a)
    url = reverse("cases:reopen", args=[closed.pk])
    sign_in(client, social_worker)
    assert (
        f'href="{url}">Reopen for a repeat episode</a>'
        in client.get(reverse("cases:detail", args=[closed.pk])).content.decode()
    )
    assert 'id="reopen"' not in client.get(reverse("cases:detail", args=[still_open.pk])).content.decode()
    sign_in(client, chair)  # read-only on case data
    assert 'id="reopen"' not in client.get(reverse("cases:detail", args=[closed.pk])).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, reopen_post(closed)).status_code == 403
    assert closed.episodes.count() == 1


def test_it_reopens_a_closed_family_with_a_new_episode_counted_as_a_repeat(client, la_a, social_worker):
    closed = closed_family(la_a, proceedings=True)
    sign_in(client, social_worker)
    url = reverse("cases:reopen", args=[closed.pk])
    form = client.get(url)
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert (initial["previous_pre_proceedings"], initial["previous_care_proceedings"]) == (True, True)
    families = m.Family.objects.count()

    # Unticked in the form: the family's record says otherwise, and that is what is saved.
    response = client.post(url, reopen_post(closed))
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[closed.pk])
    assert m.Family.objects.count() == families  # the same family, no duplicate
    episode = closed.episodes.order_by("-pk").first()
    gateway = D(timezone.localdate().year - 1, 11, 2)
    assert closed.episodes.count() == 2
    assert (episode.gateway_outcome, episode.gateway_meeting_date, episode.start_date) == (
        c.GatewayOutcome.START_PRE_PROCEEDINGS,
        gateway,
        gateway,
    )
    assert (episode.previous_pre_proceedings, episode.previous_care_proceedings) == (True, True)
    assert list(episode.children.all()) == list(closed.children.all())
    assert (episode.created_by, episode.updated_by) == (social_worker, social_worker)
    assert episode.history.filter(pgh_label="insert").get().pgh_context.metadata["user"] == social_worker.pk
    # Open again: on the tracker, with the repeat-episode flag, and on the page as current.
    row = next(r for r in client.get(reverse("tracker:list")).context["rows"] if r["case"].pk == closed.pk)
    assert "repeat_episode" in [flag.code for flag in row["flags"]]
    page = client.get(reverse("cases:detail", args=[closed.pk]))
    assert [e.repeat for e in page.context["episodes"].current] == [True]
    assert 'id="reopen"' not in page.content.decode()
    # ...and counted as a repeat where the monthly figure counts them (open episodes with a
    # previous episode or proceedings, REFERENCE.md 4).
    assert m.PreProceedingsEpisode.objects.open().filter(family=closed, previous_pre_proceedings=True).count() == 1


def test_it_records_only_what_the_history_shows_unless_ticked(client, la_a, social_worker):
    closed = closed_family(la_a)  # pre-proceedings only
    sign_in(client, social_worker)
    url = reverse("cases:reopen", args=[closed.pk])
    assert client.post(url, reopen_post(closed)).status_code == 302
    episode = closed.episodes.order_by("-pk").first()
    assert (episode.previous_pre_proceedings, episode.previous_care_proceedings) == (True, False)


def test_it_refuses_to_reopen_a_family_that_is_open_or_never_started(client, la_a, social_worker):
    still_open = open_family(la_a)
    never = f.FamilyFactory(local_authority=la_a)
    f.ChildFactory(family=never)
    sign_in(client, social_worker)
    for family in (still_open, never):
        before = family.episodes.count()
        url = reverse("cases:reopen", args=[family.pk])
        response = client.post(url, reopen_post(family))
        assert response.status_code == 302
        assert response.url == reverse("cases:detail", args=[family.pk])
        assert family.episodes.count() == before
        assert "Only a closed family can be reopened" in client.get(response.url).content.decode()


def test_it_saves_nothing_and_names_the_field_when_the_reopen_form_is_wrong(client, la_a, social_worker):
    closed = closed_family(la_a)
    sign_in(client, social_worker)
    url = reverse("cases:reopen", args=[closed.pk])
    response = client.post(url, reopen_post(closed, gateway_meeting_date_day=""))
    assert response.status_code == 200
    assert response.context["form"].errors["gateway_meeting_date"] == [
        "The legal gateway meeting date must include a day"
    ]
    response = client.post(url, reopen_post(closed, children=[]))
    assert response.status_code == 200
    assert "children" in response.context["form"].errors
    assert closed.episodes.count() == 1


def test_a_second_reopen_of_the_same_family_is_refused(client, la_a, social_worker):
    closed = closed_family(la_a)
    sign_in(client, social_worker)
    url = reverse("cases:reopen", args=[closed.pk])
    assert client.post(url, reopen_post(closed)).status_code == 302
    # A second one (another form, another token) finds the family open again.
    assert client.post(url, reopen_post(closed)).status_code == 302
    assert closed.episodes.count() == 2


def test_the_service_refuses_an_open_family_whatever_the_caller(la_a, social_worker):
    still_open = open_family(la_a)
    episode = m.PreProceedingsEpisode(family=still_open, gateway_meeting_date=D(2025, 1, 6), local_authority_id=la_a.pk)
    with pytest.raises(ValidationError, match="Only a closed family can be reopened"):
        services.family_reopen(user=social_worker, episode=episode, children=still_open.children.all())
    assert still_open.episodes.count() == 1


def test_another_las_family_cannot_be_reopened_or_seen(client, la_b, social_worker):
    theirs = closed_family(la_b)
    sign_in(client, social_worker)
    url = reverse("cases:reopen", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, reopen_post(theirs)).status_code == 404
    assert theirs.episodes.count() == 1
    assert client.get(reverse("cases:list"), {"q": "23/8/2019", "scope": "all"}).context["rows"] == []


def test_the_reopen_form_read_is_audited(client, la_a, social_worker):
    closed = closed_family(la_a)
    sign_in(client, social_worker)
    before = m.ReadAudit.objects.count()
    client.get(reverse("cases:reopen", args=[closed.pk]))
    assert m.ReadAudit.objects.count() == before + 1
    assert m.ReadAudit.objects.latest("pk").family_ids == [closed.pk]


def test_it_judges_closed_on_the_latest_episode_however_the_family_was_loaded(client, la_a, social_worker):
    # An older decision to issue with no application recorded, then a later episode stepped down:
    # closed (stepped down), whatever order the episodes are read in.
    family = closed_family(la_a)
    f.EpisodeFactory(
        family=family,
        children=list(family.children.all()),
        gateway_meeting_date=D(2021, 2, 1),
        step_decision_date=D(2021, 5, 4),
        outcome=c.PPOutcome.ISSUE,
    )
    assert services.reopen_refusal(m.Family.objects.get(pk=family.pk)) == ""
    sign_in(client, social_worker)
    assert client.post(reverse("cases:reopen", args=[family.pk]), reopen_post(family)).status_code == 302
    assert family.episodes.count() == 3


def test_a_new_gateway_decision_for_a_family_with_earlier_episodes_is_ticked_as_a_repeat(client, la_a, social_worker):
    closed = closed_family(la_a, proceedings=True)
    fresh = f.FamilyFactory(local_authority=la_a)
    f.ChildFactory(family=fresh)
    sign_in(client, social_worker)

    def ticked(family):
        initial = client.get(reverse("cases:milestone_new", args=[family.pk, "episode"])).context["form"].initial
        return initial["previous_pre_proceedings"], initial["previous_care_proceedings"]

    assert ticked(closed) == (True, True)
    assert ticked(fresh) == (False, False)
