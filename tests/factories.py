"""factory_boy factories for tests. All names and references are synthetic.

Reference data (LAs, teams, courts, code lists) comes from the data migrations, so factories
look it up rather than inventing it.
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from cases import constants as c
from cases import models as m


def la(dfe_code: str = "881") -> m.LocalAuthority:
    """A local authority loaded by the reference data migration (881 Essex, 935 Suffolk, ...)."""
    return m.LocalAuthority.objects.get(dfe_code=dfe_code)


def team_of(local_authority: m.LocalAuthority) -> m.Team:
    return local_authority.teams.order_by("name").first()


class UserFactory(DjangoModelFactory):
    class Meta:
        model = m.User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Sam{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    role = c.Role.SOCIAL_WORKER
    local_authority = factory.LazyFunction(la)
    team = factory.LazyAttribute(lambda o: team_of(o.local_authority) if o.local_authority else None)
    password = factory.django.Password("correct-horse-battery")


class FamilyFactory(DjangoModelFactory):
    class Meta:
        model = m.Family

    local_authority = factory.LazyFunction(la)
    la_reference = factory.Sequence(lambda n: f"FAM-{n:05d}")
    name = factory.Sequence(lambda n: f"Testfamily{n}")
    team = factory.LazyAttribute(lambda o: team_of(o.local_authority))
    social_worker = None


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = m.Child

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    la_child_id = factory.Sequence(lambda n: f"CH-{n:06d}")
    first_name = factory.Sequence(lambda n: f"Childname{n}")
    last_name = factory.SelfAttribute("family.name")
    date_of_birth = dt.date(2021, 3, 14)
    sex = c.Sex.FEMALE
    ethnicity = c.Ethnicity.WBRI


class EpisodeFactory(DjangoModelFactory):
    class Meta:
        model = m.PreProceedingsEpisode
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    gateway_meeting_date = dt.date(2025, 1, 6)
    gateway_outcome = c.GatewayOutcome.START_PRE_PROCEEDINGS
    start_date = factory.SelfAttribute("gateway_meeting_date")

    @factory.post_generation
    def children(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = list(self.family.children.all()) or [ChildFactory(family=self.family)]
        self.children.set(extracted)


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = m.PreProceedingsMeeting

    episode = factory.SubFactory(EpisodeFactory)
    local_authority = factory.SelfAttribute("episode.local_authority")
    kind = c.MeetingKind.INITIAL
    meeting_date = factory.LazyAttribute(lambda o: o.episode.start_date + dt.timedelta(days=14))


class ProceedingsFactory(DjangoModelFactory):
    class Meta:
        model = m.Proceedings

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    court = factory.LazyFunction(lambda: m.Court.objects.get(code="chelmsford"))
    court_case_number = factory.Sequence(lambda n: f"CM25C{n:05d}")
    issue_date = dt.date(2025, 3, 3)


class ChildProceedingsFactory(DjangoModelFactory):
    class Meta:
        model = m.ChildProceedings

    proceedings = factory.SubFactory(ProceedingsFactory)
    local_authority = factory.SelfAttribute("proceedings.local_authority")
    child = factory.LazyAttribute(lambda o: ChildFactory(family=o.proceedings.family))
    # A part added to an application made with a concluded date has its final order on that date:
    # the database derives the application's date from its children's (an open part reopens it).
    final_outcome_id = factory.LazyAttribute(lambda o: "care_order" if o.proceedings.concluded_date else None)
    final_outcome_date = factory.SelfAttribute("proceedings.concluded_date")


class ExtensionFactory(DjangoModelFactory):
    class Meta:
        model = m.Extension

    child_proceedings = factory.SubFactory(ChildProceedingsFactory)
    local_authority = factory.SelfAttribute("child_proceedings.local_authority")
    granted_date = factory.LazyAttribute(lambda o: o.child_proceedings.proceedings.issue_date + dt.timedelta(weeks=24))
    new_end_date = factory.LazyAttribute(lambda o: o.child_proceedings.proceedings.issue_date + dt.timedelta(weeks=34))
    reason = "Parenting assessment of the mother needs further time to conclude."


class HearingFactory(DjangoModelFactory):
    class Meta:
        model = m.Hearing

    proceedings = factory.SubFactory(ProceedingsFactory)
    local_authority = factory.SelfAttribute("proceedings.local_authority")
    hearing_type = factory.LazyFunction(lambda: m.HearingType.objects.get(code="cmh"))
    # Listed on the day of issue unless a test says otherwise.
    listed_on = factory.LazyAttribute(lambda o: o.proceedings.issue_date)
    listed_date = factory.LazyAttribute(lambda o: o.proceedings.issue_date + dt.timedelta(days=14))
    status = c.HearingStatus.HELD


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = m.Assessment

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    episode = factory.LazyAttribute(lambda o: EpisodeFactory(family=o.family))
    assessment_type = factory.LazyFunction(lambda: m.AssessmentType.objects.get(code="parenting"))
    provider = c.AssessmentProvider.IN_HOUSE
    subject = "Mother"
    instructed_date = dt.date(2025, 2, 3)


class DelayEventFactory(DjangoModelFactory):
    class Meta:
        model = m.DelayEvent

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    event_date = dt.date(2025, 5, 12)
    delayed_item = c.DelayedItem.HEARING
    days_lost = 14
    reason = factory.LazyFunction(lambda: m.DelayReason.objects.get(code="expert_late_report"))


class TrackerMeetingFactory(DjangoModelFactory):
    class Meta:
        model = m.TrackerMeeting

    local_authority = factory.LazyFunction(la)
    scope = c.ScopeKind.LA
    meeting_date = dt.date(2025, 6, 2)
    chair = factory.LazyAttribute(lambda o: UserFactory(role=c.Role.QUADRANT_CHAIR, local_authority=o.local_authority))


class MeetingItemFactory(DjangoModelFactory):
    class Meta:
        model = m.MeetingItem

    meeting = factory.SubFactory(TrackerMeetingFactory)
    local_authority = factory.SelfAttribute("meeting.local_authority")
    family = factory.LazyAttribute(lambda o: FamilyFactory(local_authority=o.meeting.local_authority))
    position = factory.Sequence(lambda n: n + 1)


class MeetingActionFactory(DjangoModelFactory):
    class Meta:
        model = m.MeetingAction

    item = factory.SubFactory(MeetingItemFactory)
    family = factory.SelfAttribute("item.family")
    local_authority = factory.SelfAttribute("item.local_authority")
    description = "Book the viability assessment of the maternal aunt."
    owner = factory.LazyAttribute(lambda o: UserFactory(local_authority=o.item.local_authority))
    due_date = dt.date(2025, 6, 16)


# -- the people around a case, notes and document links -------------------------------------------


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = m.Person

    local_authority = factory.LazyFunction(la)
    first_name = factory.Sequence(lambda n: f"Parentname{n}")
    last_name = "Hartley"
    date_of_birth = dt.date(1996, 2, 11)


class FamilyMemberFactory(DjangoModelFactory):
    class Meta:
        model = m.FamilyMember

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    person = factory.LazyAttribute(lambda o: PersonFactory(local_authority=o.family.local_authority))
    role = m.MemberRole.MOTHER


class ProfessionalFactory(DjangoModelFactory):
    class Meta:
        model = m.Professional

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    role = m.ProfessionalRole.GUARDIAN
    name = "Jo Whitfield"
    organisation = "Cafcass East"


class CaseNoteFactory(DjangoModelFactory):
    class Meta:
        model = m.CaseNote

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    note_date = dt.date(2025, 3, 4)
    kind = m.NoteKind.VISIT
    text = "Home visit: the children were seen together."


class DocumentLinkFactory(DjangoModelFactory):
    class Meta:
        model = m.DocumentLink

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    label = "Letter before proceedings"
    kind = m.DocumentKind.LETTER
    url = "https://docs.essex.example/cases/412/lbp.pdf"
    document_date = dt.date(2025, 2, 3)
