"""One record of each kind the API serves, for the tests that go over every endpoint.

Each function makes one record of the given LA (with the parents it needs, also of that LA) and
returns the object whose id the endpoint's detail route takes. The tables that say which function
goes with which endpoint are written in each test (``test_api_matrix``, ``test_api_query_counts``).
"""

from __future__ import annotations

from cases import models as m
from tests import factories as f


def family(la):
    return f.FamilyFactory(local_authority=la)


def child(la):
    return f.ChildFactory(family=family(la))


def episode(la):
    return f.EpisodeFactory(family=family(la))


def pp_meeting(la):
    return f.MeetingFactory(episode=episode(la))


def assessment(la):
    return f.AssessmentFactory(family=family(la))


def delay_event(la):
    return f.DelayEventFactory(family=family(la))


def proceedings(la):
    return f.ProceedingsFactory(family=family(la))


def child_proceedings(la):
    return f.ChildProceedingsFactory(proceedings=proceedings(la))


def extension(la):
    return f.ExtensionFactory(child_proceedings=child_proceedings(la))


def hearing(la):
    return f.HearingFactory(proceedings=proceedings(la))


def tracker_row(la):
    """An open pre-proceedings episode puts its family on the tracker (the database keeps the row)."""
    return m.TrackerRow.objects.get(family=episode(la).family)


def tracker_meeting(la):
    return f.TrackerMeetingFactory(local_authority=la)


def meeting_item(la):
    return f.MeetingItemFactory(meeting=tracker_meeting(la))


def meeting_action(la):
    return f.MeetingActionFactory(item=meeting_item(la))


def person(la):
    """A parent of a family of the LA (the read audit counts the person's families)."""
    return f.FamilyMemberFactory(family=family(la)).person


def family_member(la):
    return f.FamilyMemberFactory(family=family(la))


def professional(la):
    return f.ProfessionalFactory(family=family(la))


def case_note(la):
    return f.CaseNoteFactory(family=family(la))


def document_link(la):
    return f.DocumentLinkFactory(family=family(la))


def import_run(la):
    """A tracker import of the LA whose check found a problem (applying it is refused), with its uploader."""
    return m.ImportRun.objects.create(
        local_authority=la,
        user=f.UserFactory(local_authority=la),
        file_name="tracker.csv",
        sha256="0" * 64,
        status=m.ImportStatus.FAILED,
        errors=1,
        report={"file_problems": ["The file is empty."], "dry_run": True},
    )
