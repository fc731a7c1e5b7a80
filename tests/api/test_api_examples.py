"""The worked examples of the OpenAPI description (``cases.api.examples``).

Every operation has an example of its answer and, for a write, of its request body; each example is
valid against its own schema in the generated document (every field of an answer present, no field
the schema does not have); and the ``POST`` examples, sent to the API with the ids of records that
exist, create what they say.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from cases import models as m
from cases.api import examples as ex
from cases.api.urls import router
from tests import factories as f
from tests.api.conftest import session_client

# -- the generated document -------------------------------------------------------------------------

METHODS = ("get", "post", "patch")


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


# Operations whose success is a file (the example is of its CSV form), and POSTs that take no body.
FILE_ANSWERS = {"/api/v1/imports/template/": "text/csv"}
NO_BODY = {("post", "/api/v1/imports/{id}/apply/")}


def success(operation, path: str = "") -> tuple[str, dict]:
    code = next(code for code in ("200", "201") if code in operation["responses"])
    return code, operation["responses"][code]["content"][FILE_ANSWERS.get(path, "application/json")]


def bodies(document):
    """Every example in the document: (where, example value, its schema, whether an answer)."""
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            for media in response.get("content", {}).values():
                for name, example in media.get("examples", {}).items():
                    yield f"{method.upper()} {path} {code} {name}", example["value"], media["schema"], True
        for media in operation.get("requestBody", {}).get("content", {}).values():
            for name, example in media.get("examples", {}).items():
                yield f"{method.upper()} {path} request {name}", example["value"], media["schema"], False


# -- OpenAPI 3.0 schemas as JSON Schema ------------------------------------------------------------

DROPPED = frozenset({"nullable", "readOnly", "writeOnly", "example", "examples", "description", "title"})


def json_schema(schema: dict, components: dict, *, answer: bool, depth: int = 0) -> dict:
    """An OpenAPI 3.0 schema as a draft 4 JSON Schema: ``$ref`` resolved, ``nullable`` as null allowed.

    An object takes no property its schema does not name; in an answer (``answer``) every property
    is required, since every field the serializer outputs is in the body.
    """
    assert depth < 20, "a schema nested this deep is recursive"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return json_schema(components[name], components, answer=answer, depth=depth + 1)

    def sub(value):
        return json_schema(value, components, answer=answer, depth=depth + 1)

    out = {}
    for key, value in schema.items():
        if key in DROPPED:
            continue
        if key == "properties":
            out[key] = {name: sub(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = sub(value)
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [sub(part) for part in value]
        else:
            out[key] = value
    if "properties" in schema:
        out.setdefault("additionalProperties", False)
        if answer:
            out["required"] = sorted(schema["properties"])
    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def is_date(value) -> bool:
    return not isinstance(value, str) or (
        bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(dt.date.fromisoformat(value))
    )


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    moment = dt.datetime.fromisoformat(value)
    return moment.tzinfo is not None  # the API always says the time zone


def errors_of(value, schema: dict, components: dict, *, answer: bool) -> list[str]:
    validator = jsonschema.Draft4Validator(json_schema(schema, components, answer=answer), format_checker=FORMATS)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(value)]


# -- (a) an example for every operation --------------------------------------------------------------


def test_every_endpoint_of_the_router_has_its_examples():
    registered = {viewset for _prefix, viewset, _basename in router.registry}
    assert registered - set(ex.EXAMPLES) == set()
    assert set(ex.EXAMPLES) - registered == set()


def test_every_operation_has_an_example_of_its_answer_and_of_its_request_body(document):
    missing = []
    for path, method, operation in operations(document):
        code, media = success(operation, path)
        if not media.get("examples"):
            missing.append(f"{method.upper()} {path} {code}")
        if method in ("post", "patch"):
            if (method, path) in NO_BODY:
                assert "requestBody" not in operation, f"{method.upper()} {path} takes a body after all"
                continue
            # JSON, or a file upload's form (multipart/form-data).
            (request,) = operation["requestBody"]["content"].values()
            if not request.get("examples"):
                missing.append(f"{method.upper()} {path} request")
    assert missing == []


def test_the_error_responses_keep_the_error_format_examples(document):
    operation = document["paths"]["/api/v1/families/{id}/"]["get"]
    example = next(iter(operation["responses"]["404"]["content"]["application/json"]["examples"].values()))
    assert example["value"]["type"] == "client_error"
    assert example["value"]["errors"][0]["code"] == "not_found"


def test_a_list_shows_the_record_as_the_one_row_of_a_page(document):
    media = document["paths"]["/api/v1/families/"]["get"]["responses"]["200"]["content"]["application/json"]
    (page,) = (example["value"] for example in media["examples"].values())
    assert set(page) == {"next", "previous", "results"}
    assert page["results"] == [ex.FAMILY]


# -- (b) each example is valid against its own schema -----------------------------------------------


def test_each_example_is_valid_against_its_own_schema(document):
    components = document["components"]["schemas"]
    invalid = {
        where: errors
        for where, value, schema, answer in bodies(document)
        if (errors := errors_of(value, schema, components, answer=answer))
    }
    assert invalid == {}


def test_a_broken_example_is_found_invalid(document):
    """The check above finds a wrong type, an unknown choice, a missing field and a field too many."""
    components = document["components"]["schemas"]
    schema = {"$ref": "#/components/schemas/Child"}
    assert errors_of(ex.CHILD, schema, components, answer=True) == []
    broken = {**ex.CHILD, "date_of_birth": "14/06/2021", "sex": "X", "nickname": "Rubes"}
    del broken["ethnicity"]
    errors = errors_of(broken, schema, components, answer=True)
    assert any(error.startswith("date_of_birth:") for error in errors)
    assert any(error.startswith("sex:") for error in errors)
    assert any("'ethnicity' is a required property" in error for error in errors)
    assert any("'nickname' was unexpected" in error for error in errors)
    # A request body need not name every field, but a null where none is allowed is wrong.
    request = {"$ref": "#/components/schemas/PatchedChildRequest"}
    assert errors_of({"sex": "M"}, request, components, answer=False) == []
    assert errors_of({"last_name": None}, request, components, answer=False) != []


# -- (c) the POST examples create what they say -----------------------------------------------------

# Made by the API, not given: the new record's id and who and when.
WHO_AND_WHEN = frozenset({"id", "created_at", "created_by", "updated_at", "updated_by"})


def substituted(body: dict, ids: dict) -> dict:
    """``body`` with the ids of records that exist in place of the example's."""
    return {**copy.deepcopy(body), **{name: value for name, value in ids.items() if name in body}}


def created_as_the_example_says(api, url: str, endpoint: ex.EndpointExamples, ids: dict, *, links: dict) -> dict:
    """POST the endpoint's example (with ``ids``); check the answer has its values and the created example's.

    ``links`` maps the created example's other link fields (set by the service) to the real ids.
    """
    body = substituted(endpoint.create.value, ids)
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    for name, value in body.items():
        if name in answer:
            assert (name, answer[name]) == (name, value)
    expected = {**substituted(endpoint.created.value, ids), **links}
    assert {name: answer[name] for name in expected if name not in WHO_AND_WHEN} == {
        name: value for name, value in expected.items() if name not in WHO_AND_WHEN
    }
    assert answer["created_by"] == answer["updated_by"] != ""
    return answer


@pytest.mark.django_db
def test_the_family_example_creates_the_family(api, writer, la_a):
    team = m.Team.objects.filter(local_authority=la_a).order_by("pk").first()
    worker = f.UserFactory(local_authority=la_a, team=team)
    ids = {"team": team.pk, "social_worker": worker.pk}

    answer = created_as_the_example_says(api, "/api/v1/families/", ex.FAMILIES, ids, links={})

    family = m.Family.objects.get(pk=answer["id"])
    assert (family.la_reference, family.name, family.team, family.social_worker) == (
        "ESX-F-00412",
        "Fletcher",
        team,
        worker,
    )
    assert answer["created_by"] == writer.username


@pytest.mark.django_db
def test_the_child_example_creates_the_child(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)

    answer = created_as_the_example_says(api, "/api/v1/children/", ex.CHILDREN, {"family": family.pk}, links={})

    child = m.Child.objects.get(pk=answer["id"])
    assert (child.family, child.la_child_id, child.first_name, child.date_of_birth, child.sex) == (
        family,
        "ESX-C-01031",
        "Ruby",
        dt.date(2021, 6, 14),
        "F",
    )


@pytest.mark.django_db
def test_the_proceedings_example_creates_the_application_with_a_part_for_each_child(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    ruby, teddy = f.ChildFactory(family=family), f.ChildFactory(family=family)
    # The family's episode, closed by the decision to issue (the service links the application to it).
    episode = f.EpisodeFactory(
        family=family,
        gateway_meeting_date=dt.date(2026, 3, 9),
        step_decision_date=dt.date(2026, 6, 29),
        outcome="issue",
    )
    episode.children.set([ruby, teddy])
    ids = {"family": family.pk, "children": [ruby.pk, teddy.pk]}

    body = substituted(ex.PROCEEDINGS_CREATE, ids)
    response = api.post("/api/v1/proceedings/", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    proceedings = m.Proceedings.objects.get(pk=answer["id"])
    assert (proceedings.court_id, proceedings.court_case_number, proceedings.issue_date, proceedings.episode) == (
        "colchester",
        "CO26C00457",
        dt.date(2026, 7, 3),
        episode,
    )
    assert [(part["child"], part["final_outcome"]) for part in answer["child_parts"]] == [
        (ruby.pk, None),
        (teddy.pk, None),
    ]
    expected = {name: value for name, value in ex.PROCEEDINGS_NEW.items() if name not in WHO_AND_WHEN | {"child_parts"}}
    assert {name: answer[name] for name in expected} == {**expected, "family": family.pk, "episode": episode.pk}


@pytest.mark.django_db
def test_the_hearing_examples_list_a_hearing_and_record_its_outcome_with_the_relisting(api, la_a):
    proceedings = f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la_a), issue_date=dt.date(2026, 7, 3))
    ids = {"proceedings": proceedings.pk}

    listing = created_as_the_example_says(api, "/api/v1/hearings/", ex.HEARINGS, ids, links={})

    request, result = ex.HEARINGS.actions["outcome"]
    etag = api.get(f"/api/v1/hearings/{listing['id']}/")["ETag"]
    response = api.post(f"/api/v1/hearings/{listing['id']}/outcome/", request.value, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    answer = response.json()
    relisting = m.Hearing.objects.get(replaces_id=listing["id"])
    real = {ex.PROCEEDINGS_ID: proceedings.pk, ex.IRH_ID: listing["id"], ex.RELISTED_IRH_ID: relisting.pk}
    for part in ("hearing", "relisting"):
        expected = {
            name: real.get(value, value) if name in ("proceedings", "replaces", "relisted_as") else value
            for name, value in result.value[part].items()
            if name not in WHO_AND_WHEN
        }
        assert {name: answer[part][name] for name in expected} == expected
    assert (relisting.listed_date, relisting.listed_on, relisting.status) == (
        dt.date(2026, 12, 11),
        dt.date(2026, 11, 13),
        "listed",
    )


@pytest.mark.django_db
def test_the_assessment_example_creates_an_assessment_due_on_its_types_target(api, la_a):
    episode = f.EpisodeFactory(family=f.FamilyFactory(local_authority=la_a), gateway_meeting_date=dt.date(2026, 3, 9))
    ids = {"family": episode.family_id}

    answer = created_as_the_example_says(
        api, "/api/v1/assessments/", ex.ASSESSMENTS, ids, links={"episode": episode.pk}
    )

    assert m.Assessment.objects.get(pk=answer["id"]).due_date == dt.date(2026, 5, 20)


@pytest.mark.django_db
def test_the_extension_example_extends_the_childs_timetable(api, la_a):
    proceedings = f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la_a), issue_date=dt.date(2026, 7, 3))
    part = f.ChildProceedingsFactory(proceedings=proceedings)

    answer = created_as_the_example_says(
        api, "/api/v1/extensions/", ex.EXTENSIONS, {"child_proceedings": part.pk}, links={}
    )

    assert m.Extension.objects.get(pk=answer["id"]).new_end_date == dt.date(2027, 2, 26)


def patched_as_the_example_says(client, url: str, endpoint: ex.EndpointExamples, ids: dict | None = None) -> dict:
    """PATCH the endpoint's example (with ``ids``) with the record's ETag; the answer has its values."""
    body = substituted(endpoint.patch.value, ids or {})
    etag = client.get(url)["ETag"]
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert {name: answer[name] for name in body} == body
    return answer


def posted(client, url: str, body: dict) -> dict:
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.django_db
def test_the_examples_tell_one_story_that_the_api_accepts_from_start_to_end(api, la_a, chair):
    """Every POST and PATCH example, in the order of the story, each linking to the records made before."""
    team = m.Team.objects.filter(local_authority=la_a).order_by("pk").first()
    first_worker, worker = (
        f.UserFactory(local_authority=la_a, team=team),
        f.UserFactory(local_authority=la_a, team=team),
    )

    family = created_as_the_example_says(
        api, "/api/v1/families/", ex.FAMILIES, {"team": team.pk, "social_worker": first_worker.pk}, links={}
    )
    patched_as_the_example_says(api, f"/api/v1/families/{family['id']}/", ex.FAMILIES, {"social_worker": worker.pk})
    ruby = created_as_the_example_says(api, "/api/v1/children/", ex.CHILDREN, {"family": family["id"]}, links={})
    # Teddy was recorded before he was born (as the page does, with an expected due date).
    teddy = f.ChildFactory(
        family_id=family["id"],
        local_authority=la_a,
        la_child_id="ESX-C-01032",
        first_name="",
        date_of_birth=None,
        expected_due_date=dt.date(2026, 5, 25),
    )
    patched_as_the_example_says(api, f"/api/v1/children/{teddy.pk}/", ex.CHILDREN)
    teddy.refresh_from_db()
    assert (teddy.first_name, teddy.date_of_birth, teddy.expected_due_date) == ("Teddy", dt.date(2026, 5, 18), None)

    children = [ruby["id"], teddy.pk]
    episode = created_as_the_example_says(
        api, "/api/v1/pp-episodes/", ex.EPISODES, {"family": family["id"], "children": children}, links={}
    )
    meeting = created_as_the_example_says(
        api, "/api/v1/pp-meetings/", ex.PP_MEETINGS, {"episode": episode["id"]}, links={}
    )
    patched_as_the_example_says(api, f"/api/v1/pp-meetings/{meeting['id']}/", ex.PP_MEETINGS)
    assessment = created_as_the_example_says(
        api, "/api/v1/assessments/", ex.ASSESSMENTS, {"family": family["id"]}, links={"episode": episode["id"]}
    )
    patched_as_the_example_says(api, f"/api/v1/assessments/{assessment['id']}/", ex.ASSESSMENTS)
    patched_as_the_example_says(api, f"/api/v1/pp-episodes/{episode['id']}/", ex.EPISODES)

    proceedings = posted(
        api, "/api/v1/proceedings/", substituted(ex.PROCEEDINGS_CREATE, {"family": family["id"], "children": children})
    )
    assert proceedings["episode"] == episode["id"]
    patched_as_the_example_says(api, f"/api/v1/proceedings/{proceedings['id']}/", ex.PROCEEDINGS_EXAMPLES)
    ruby_part, teddy_part = (part["id"] for part in proceedings["child_parts"])
    irh = created_as_the_example_says(
        api, "/api/v1/hearings/", ex.HEARINGS, {"proceedings": proceedings["id"]}, links={}
    )
    request, _result = ex.HEARINGS.actions["outcome"]
    etag = api.get(f"/api/v1/hearings/{irh['id']}/")["ETag"]
    outcome = api.post(f"/api/v1/hearings/{irh['id']}/outcome/", request.value, format="json", HTTP_IF_MATCH=etag)
    assert outcome.status_code == 200, outcome.json()
    patched_as_the_example_says(api, f"/api/v1/hearings/{irh['id']}/", ex.HEARINGS)
    patched_as_the_example_says(api, f"/api/v1/child-proceedings/{ruby_part}/", ex.CHILD_PROCEEDINGS)
    delay = created_as_the_example_says(
        api,
        "/api/v1/delay-events/",
        ex.DELAY_EVENTS,
        {"family": family["id"]},
        links={"proceedings": proceedings["id"]},
    )
    patched_as_the_example_says(api, f"/api/v1/delay-events/{delay['id']}/", ex.DELAY_EVENTS)
    extension = created_as_the_example_says(
        api, "/api/v1/extensions/", ex.EXTENSIONS, {"child_proceedings": teddy_part}, links={}
    )
    patched_as_the_example_says(api, f"/api/v1/extensions/{extension['id']}/", ex.EXTENSIONS)
    assert m.Proceedings.objects.get(pk=proceedings["id"]).concluded_date is None  # Teddy's part is open

    # The tracker meeting: run by a chair, with their session.
    chair_api = session_client(chair)
    area = team.area
    tracker_meeting = created_as_the_example_says(
        chair_api, "/api/v1/meetings/", ex.MEETINGS, {"area": area.pk}, links={"chair": chair.username}
    )
    item = m.MeetingItem.objects.get(meeting_id=tracker_meeting["id"], family_id=family["id"])
    patched_as_the_example_says(chair_api, f"/api/v1/meeting-items/{item.pk}/", ex.MEETING_ITEMS)
    action = created_as_the_example_says(
        chair_api,
        "/api/v1/meeting-actions/",
        ex.MEETING_ACTIONS,
        {"item": item.pk, "owner": worker.pk},
        links={"family": family["id"]},
    )
    patched_as_the_example_says(chair_api, f"/api/v1/meeting-actions/{action['id']}/", ex.MEETING_ACTIONS)
