"""One family search, in the user's LA: the case list finds open and closed families, the tracker open ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import selectors
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db


def family(la, *, name: str, reference: str, child: tuple[str, str, str], closed: bool = False, worker=None):
    """A family with one child, in pre-proceedings (open) or stepped down last year (closed)."""
    family = f.FamilyFactory(local_authority=la, name=name, la_reference=reference, social_worker=worker)
    first, last, child_id = child
    kid = f.ChildFactory(family=family, first_name=first, last_name=last, la_child_id=child_id)
    start = timezone.localdate() - dt.timedelta(weeks=3)
    if closed:
        start = start - dt.timedelta(weeks=60)
        decided = {"step_decision_date": start + dt.timedelta(weeks=14), "outcome": c.PPOutcome.STEP_DOWN}
    else:
        decided = {}
    f.EpisodeFactory(family=family, children=[kid], gateway_meeting_date=start, start_date=start, **decided)
    return family


@pytest.fixture
def families(la_a, la_b, social_worker):
    return {
        "open": family(
            la_a, name="Ashdown", reference="E-1001", child=("Robin", "Ashdown", "CH-11"), worker=social_worker
        ),
        "closed": family(
            la_a,
            name="Brierley",
            reference="E-2002",
            child=("Sky", "Brierley", "CH-22"),
            closed=True,
            worker=social_worker,
        ),
        # Another LA's family with the same names and references: never found from LA A.
        "other_la": family(la_b, name="Ashdown", reference="E-2002", child=("Sky", "Ashdown", "CH-22")),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ashd", {"open"}),  # family name, in part, any case
        ("BRIERLEY", {"closed"}),
        ("e-2002", {"closed"}),  # LA reference, in full
        ("E-200", set()),  # ...not in part
        ("robin", {"open"}),  # child's first name
        ("brier", {"closed"}),  # child's (and family) last name
        ("Sky", {"closed"}),
        ("ch-22", {"closed"}),  # LA child ID, in full
        ("CH-2", set()),
        ("  Sky  ", {"closed"}),
        ("", set()),
        ("   ", set()),
    ],
)
def test_it_finds_families_open_or_closed_in_the_users_la_only(families, social_worker, query, found):
    names = {key: value.pk for key, value in families.items()}
    assert set(selectors.family_search(user=social_worker, query=query).values_list("pk", flat=True)) == {
        names[key] for key in found
    }


def test_it_finds_nothing_for_a_user_with_no_la(families, board_member):
    assert not selectors.family_search(user=board_member, query="Ashdown").exists()


def test_it_shows_closed_matches_on_the_case_list_after_open_ones_marked_closed(client, la_a, families, social_worker):
    second_open = family(la_a, name="Skyeson", reference="E-3003", child=("Kai", "Skyeson", "CH-33"))
    sign_in(client, social_worker)
    response = client.get(reverse("cases:list"), {"q": "sky", "scope": "all"})
    rows = response.context["rows"]
    # Open first (Skyeson), then closed (Brierley, whose child is Sky); Suffolk's Sky never.
    assert [row["case"].pk for row in rows] == [second_open.pk, families["closed"].pk]
    closed = rows[1]
    assert closed["closed"] is True
    assert (closed["flags"], closed["next_due"], closed["weeks"]) == ([], None, None)
    assert closed["reason"] == "Closed: no open pre-proceedings or care proceedings."
    assert rows[0]["closed"] is False
    html = response.content.decode()
    row_html = html[html.index(f'data-case="{families["closed"].pk}"') :].split("</tr>")[0]
    assert f'href="{reverse("cases:detail", args=[families["closed"].pk])}"' in row_html
    assert 'govuk-tag--grey">Closed</strong>' in row_html
    assert "app-rag" not in row_html  # no red, amber or green status for a closed family
    assert "2 cases matching “sky”, open and closed." in html


def test_it_lists_open_cases_only_without_a_search(client, families, social_worker):
    sign_in(client, social_worker)
    rows = client.get(reverse("cases:list")).context["rows"]
    assert [row["case"].pk for row in rows] == [families["open"].pk]


def test_it_searches_within_my_cases_unless_asked_for_the_las(client, la_a, families, social_worker):
    colleague_case = family(la_a, name="Brierley", reference="E-4004", child=("Ash", "Brierley", "CH-44"), closed=True)
    sign_in(client, social_worker)
    mine = client.get(reverse("cases:list"), {"q": "Brierley"}).context["rows"]
    everyone = client.get(reverse("cases:list"), {"q": "Brierley", "scope": "all"}).context["rows"]
    assert [row["case"].pk for row in mine] == [families["closed"].pk]
    assert {row["case"].pk for row in everyone} == {families["closed"].pk, colleague_case.pk}


def test_it_filters_the_tracker_with_the_same_search_finding_open_cases_only(client, la_a, families, social_worker):
    # The tracker shows open cases: a closed family matching the search is not on it.
    sky_open = family(la_a, name="Skyeson", reference="E-3003", child=("Kai", "Skyeson", "CH-33"))
    sign_in(client, social_worker)

    def tracked(query):
        return {row["case"].pk for row in client.get(reverse("tracker:list"), {"q": query}).context["rows"]}

    assert tracked("sky") == {sky_open.pk}
    assert tracked("ch-11") == {families["open"].pk}
    assert tracked("e-2002") == set()  # closed in LA A, open in LA B
    assert tracked("Ashdown") == {families["open"].pk}


def test_it_pins_the_case_list_search_queries_whatever_the_number_of_matches(client, la_a, social_worker):
    sign_in(client, social_worker)
    url = reverse("cases:list") + "?scope=all&q=Match"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    family(la_a, name="Matchopen1", reference="M-1", child=("A", "Matchopen1", "M-C1"))
    family(la_a, name="Matchclosed1", reference="M-2", child=("B", "Matchclosed1", "M-C2"), closed=True)
    few = queries()
    for n in range(2, 6):
        family(la_a, name=f"Matchopen{n}", reference=f"M-O{n}", child=("C", "Matchopen", f"M-CO{n}"))
        family(la_a, name=f"Matchclosed{n}", reference=f"M-X{n}", child=("D", "Matchclosed", f"M-CX{n}"), closed=True)
    assert queries() == few
