"""Synthetic demo data for all four LAs, sized by child population and calibrated to the region.

Nothing here is real: names are drawn from short lists of common names, references are made up,
and every date is generated. The same ``seed``, ``scale``, ``years`` and ``as_of`` give the same
data. Rows are written with PostgreSQL ``COPY`` (explicit ids, sequences moved on afterwards), so
national-sized data (``scale=30, years=10``) loads in minutes. The history triggers still fire,
so every seeded row has its insert event like any other.

Calibration (REFERENCE.md): about 390 care applications a year at scale 1 (7 per 10,000 children),
shared by child population; 30% at short notice without pre-proceedings; pre-proceedings episodes
stepped down about half the time; Section 31 durations averaging about 55 weeks (the region's
baseline; national 40-44) with about a fifth within the time limit and a long tail past a year;
pre-birth cases, babies, repeat episodes and sibling groups.

Hearings follow the Public Law Outline: urgent hearings listed on issue, the CMH listed on day 2
for day 12-18 (usually), the IRH and final hearing timetabled at the CMH (some at a later
hearing), each listing made on its ``listed_on`` day. A long case loses its time as listings are
adjourned on the day or vacated before it, with a coded reason and a delay event, and re-listed:
a new listing that replaces the old, made that day or soon after. Some hearings are vacated and
not re-listed; orders made are recorded at the hearings that took place. Listings the court had
not made by the seed's date do not exist, and outcomes after it are not known. Extensions are
per child, up to the longest allowed each, and only sometimes granted when a case is about to run
past its timetable: most children have none, few more than two.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from psycopg import sql

from cases import constants as c
from cases import models as m
from cases import services, thresholds
from cases.flags import TIMETABLE_FLAGS, worded_flags
from cases.selectors.tracker import flag_raised

APPLICATIONS_PER_YEAR_AT_SCALE_1 = 390
SHORT_NOTICE_SHARE = 0.30
STEP_DOWN_SHARE, ISSUE_SHARE, OTHER_SHARE = 0.49, 0.45, 0.06
PRE_BIRTH_SHARE = 0.15
REPEAT_SHARE = 0.08

SURNAMES = [
    "Abbott",
    "Archer",
    "Bailey",
    "Barker",
    "Bennett",
    "Bishop",
    "Booth",
    "Bradley",
    "Briggs",
    "Brooks",
    "Burton",
    "Carter",
    "Chapman",
    "Clarke",
    "Cole",
    "Collins",
    "Cooper",
    "Dawson",
    "Dixon",
    "Doyle",
    "Ellis",
    "Evans",
    "Fisher",
    "Fletcher",
    "Foster",
    "Fox",
    "Gibson",
    "Graham",
    "Grant",
    "Hall",
    "Hardy",
    "Harper",
    "Hayes",
    "Hill",
    "Holmes",
    "Howard",
    "Hughes",
    "Hunt",
    "Jarvis",
    "Jennings",
    "Kaur",
    "Kelly",
    "Khan",
    "Knight",
    "Lane",
    "Lawson",
    "Lee",
    "Lloyd",
    "Marsh",
    "Mason",
    "Mills",
    "Moore",
    "Morgan",
    "Murphy",
    "Nash",
    "Newman",
    "Norris",
    "Osei",
    "Owen",
    "Palmer",
    "Parry",
    "Patel",
    "Pearce",
    "Perry",
    "Porter",
    "Price",
    "Quinn",
    "Reed",
    "Reid",
    "Rhodes",
    "Riley",
    "Robson",
    "Rose",
    "Russell",
    "Shaw",
    "Simpson",
    "Skinner",
    "Stone",
    "Sutton",
    "Taylor",
    "Turner",
    "Wade",
    "Walsh",
    "Ward",
    "Warren",
    "Watts",
    "Webb",
    "Wells",
    "West",
    "Wilkinson",
    "Wood",
    "Wright",
    "Young",
]
FIRST_NAMES = [
    "Aaliyah",
    "Alfie",
    "Amelia",
    "Archie",
    "Arlo",
    "Ava",
    "Bella",
    "Charlie",
    "Chloe",
    "Daisy",
    "Elsie",
    "Ella",
    "Ethan",
    "Evie",
    "Finley",
    "Freddie",
    "Freya",
    "George",
    "Grace",
    "Harry",
    "Harvey",
    "Isla",
    "Ivy",
    "Jack",
    "Jacob",
    "Jayden",
    "Kai",
    "Leo",
    "Lily",
    "Logan",
    "Mason",
    "Maya",
    "Mia",
    "Millie",
    "Noah",
    "Olivia",
    "Oscar",
    "Poppy",
    "Reggie",
    "Riley",
    "Rosie",
    "Ruby",
    "Sophia",
    "Teddy",
    "Theo",
    "Tommy",
    "Willow",
    "Zara",
]
JUDGES = ["Circuit Judge", "District Judge", "Lay justices", "Recorder"]
COURTS_BY_LA = {
    "881": ["chelmsford", "chelmsford", "colchester", "basildon"],
    "935": ["ipswich"],
    "882": ["southend"],
    "883": ["basildon", "chelmsford"],
}
PREFIX = {"881": "ESX", "935": "SFK", "882": "SOS", "883": "THR"}
OUTCOME_WEIGHTS = {
    "care_order": 30,
    "placement_order": 15,
    "sgo": 20,
    "supervision_order": 12,
    "care_order_home": 8,
    "cao": 6,
    "no_order": 3,
    "withdrawn": 4,
    "other": 2,
}
PLAN_FOR_OUTCOME = {
    "care_order": c.CarePlan.LONG_TERM_FOSTERING,
    "placement_order": c.CarePlan.ADOPTION,
    "sgo": c.CarePlan.SGO,
    "supervision_order": c.CarePlan.REMAIN_WITH_PARENTS,
    "care_order_home": c.CarePlan.REMAIN_WITH_PARENTS,
    "cao": c.CarePlan.FAMILY_OR_FRIENDS,
    "no_order": c.CarePlan.REMAIN_WITH_PARENTS,
    "withdrawn": c.CarePlan.REMAIN_WITH_PARENTS,
    "other": c.CarePlan.OTHER,
}
# Share of applications decided within the time limit; the rest run past it by a long-tailed spread
# (gamma, in weeks) that puts the region's mean near its 55 weeks (national about 40-44).
WITHIN_LIMIT_SHARE = 0.17
LONG_TAIL_GAMMA = (2.8, 14.5)
# What makes an application take longer (weeks added to its duration), so the breach forecast has
# something real to find: each extra child of a sibling group, care proceedings before, a short-notice
# start, a baby (courts hurry them: negative), a court's list and an LA's way of working. The long
# tail is moved back by the average shift, so the region's mean stays near 55 weeks.
WEEKS_PER_EXTRA_CHILD = 3.0
PREVIOUS_PROCEEDINGS_WEEKS = 7.0
SHORT_NOTICE_WEEKS = 4.0
BABY_WEEKS = -4.0
COURT_WEEKS = {"chelmsford": 0.0, "colchester": 5.0, "basildon": 3.0, "ipswich": -3.0, "southend": 2.0}
LA_WEEKS = {"881": 0.0, "935": -2.0, "882": 2.0, "883": 4.0}
AVERAGE_SHIFT_WEEKS = 3.5
# Expert assessments are instructed more often in the applications that run long (and are a reason they do).
LONG_CASE_EXPERT_FACTOR = 1.25
SHORT_CASE_EXPERT_FACTOR = 0.5
# Chance that the court extends a child's timetable when the case is about to run past its end,
# for the first, second and third extension: often none is sought or recorded, never routinely.
EXTENSION_CHANCES = (0.4, 0.3, 0.1)
EXTENSION_REASONS = [
    "Expert assessment of the mother not yet complete.",
    "Connected carer assessment of a relative identified late.",
    "Final hearing could not be listed within the timetable.",
    "Fact-finding hearing needed on disputed injuries.",
    "Change of care plan after a positive parenting assessment.",
]
# Reasons a hearing is vacated and not re-listed: it is no longer needed after a change in the case.
NOT_RELISTED_REASON_WEIGHTS = {
    "la_new_care_plan": 5,
    "expert_new_assessment": 3,
    "la_new_assessment": 2,
    "other_new_party": 1,
}
# Notes on some adjourned or vacated listings (by reason) and on some re-listings: synthetic, plain.
REASON_NOTES = {
    "expert_late_report": "The expert's report was not filed in time.",
    "la_poor_late_sw_assessment": "The social work assessment was filed late.",
    "judiciary_insufficient_time": "Not enough court time to hear the evidence.",
    "court_no_courtroom": "No courtroom was available.",
    "judiciary_no_judge": "No judge was available.",
    "lawyers_parties": "A party's legal representative could not attend.",
    "agency_police_disclosure": "Police disclosure is still awaited.",
    "agency_medical_records": "Medical records are still awaited.",
    "la_no_family_identified": "A relative came forward late and needs to be assessed.",
    "la_poor_kinship": "The kinship assessment has to be repeated.",
    "court_interpreter": "No interpreter was booked.",
    "other_new_baby": "The mother has had a baby, who joins the application.",
    "la_new_care_plan": "The local authority has changed its care plan.",
    "expert_new_assessment": "A further expert assessment was directed.",
}
RELISTING_NOTES = [
    "Re-listed for the first date the court could offer.",
    "Re-listed with a longer time estimate.",
    "Re-listed before the same judge.",
    "Re-listed as a contested hearing over three days.",
    "Re-listed by consent.",
]
# Hearing adjournment / vacation reasons, weighted roughly as the Trailblazer diagnosis found.
HEARING_REASON_WEIGHTS = {
    "expert_late_report": 14,
    "la_poor_late_sw_assessment": 10,
    "judiciary_insufficient_time": 9,
    "court_no_courtroom": 6,
    "judiciary_no_judge": 5,
    "lawyers_parties": 8,
    "cafcass_not_allocated": 4,
    "agency_police_disclosure": 5,
    "agency_medical_records": 4,
    "la_new_care_plan": 5,
    "la_no_family_identified": 6,
    "la_poor_kinship": 6,
    "la_isw_instructed": 4,
    "la_assessment_challenged": 4,
    "other_new_baby": 3,
    "other_new_party": 3,
    "court_interpreter": 2,
    "adult_mental_health": 3,
    "adult_housing": 2,
    "adult_probation": 2,
    "legal_aid_os": 2,
    "la_no_threshold_document": 1,
}
PP_DELAY_REASONS = {
    "la_no_family_identified": 6,
    "la_poor_late_sw_assessment": 5,
    "expert_late_report": 4,
    "adult_mental_health": 4,
    "adult_housing": 3,
    "adult_probation": 2,
    "la_poor_pre_proceedings": 3,
    "la_no_timetable": 3,
    "agency_police_disclosure": 2,
}


@dataclass
class Summary:
    """What a seed run produced, for the command to print."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    s31_concluded: int = 0
    s31_mean_weeks: float | None = None
    s31_within_26_share: float | None = None  # within the time limit (the metric's stored name)
    s31_limit_weeks: int = 0
    pp_decided: int = 0
    step_down_rate: float | None = None
    open_proceedings: int = 0
    open_episodes: int = 0
    hearings: int = 0
    hearings_put_off: int = 0  # adjourned or vacated
    relistings: int = 0
    extensions: int = 0
    most_extensions_for_a_child: int = 0
    extensions_last_year: int = 0
    extensions_month_share: float | None = None  # grants a month / open applications, last 12 months
    past_limit: int = 0  # open applications past their timetable end
    # Tracker flag label -> (open cases it is raised on, of which not yet past the time limit).
    timetable_flags: dict[str, tuple[int, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"Seeded in {self.seconds:.1f} s."]
        out += [f"  {name}: {count:,}" for name, count in self.rows.items()]
        if self.s31_mean_weeks is not None:
            out.append(
                f"  Care proceedings concluded: {self.s31_concluded:,}; mean duration {self.s31_mean_weeks:.1f} weeks; "
                f"{self.s31_within_26_share:.0%} within {self.s31_limit_weeks} weeks; "
                f"open now: {self.open_proceedings:,}"
            )
        if self.step_down_rate is not None:
            out.append(
                f"  Pre-proceedings decided: {self.pp_decided:,}; step-down rate {self.step_down_rate:.0%}; "
                f"open now: {self.open_episodes:,}"
            )
        if self.hearings:
            out.append(
                f"  Hearings: {self.hearings:,} listings, {self.hearings_put_off / self.hearings:.0%} adjourned or "
                f"vacated, {self.relistings:,} re-listings"
            )
        if self.extensions_month_share is not None:
            out.append(
                f"  Extensions: {self.extensions:,} (at most {self.most_extensions_for_a_child} for a child); "
                f"{self.extensions_last_year:,} in the last 12 months, a month on average "
                f"{self.extensions_month_share:.1%} of open applications"
            )
        if self.timetable_flags:
            out.append(
                f"  Timetable flags on open proceedings ({self.open_proceedings:,}, of which "
                f"{self.past_limit:,} past the time limit), raised (and on cases not yet past it):"
            )
            out += [f"    {label}: {raised:,} ({early:,})" for label, (raised, early) in self.timetable_flags.items()]
        return out


@dataclass(frozen=True)
class _Story:
    """What an application's hearings are generated from."""

    issue: dt.date
    conclusion: dt.date  # the final hearing's date (after the seed's date while the case is open)
    short_notice: bool
    interim_order: str
    placement: bool


@dataclass(eq=False)
class _Listing:
    """One listing of a hearing in an application's story, before it is cut at the seed's date."""

    code: str
    listed_on: dt.date  # the day the court fixed it
    listed_date: dt.date  # the date it is listed for
    status: str = c.HearingStatus.HELD
    ended: dt.date | None = None  # the day it was adjourned (its date) or vacated
    reason: str | None = None
    orders: list[str] = field(default_factory=list)
    note: str = ""  # on a re-listing, from when it is made
    outcome_note: str = ""  # on an adjourned or vacated listing, once that has happened
    replaces: _Listing | None = None

    @property
    def outcome_day(self) -> dt.date:
        """The day what came of it is known: the hearing's date, or the day it was vacated."""
        return self.ended if self.status == c.HearingStatus.VACATED else self.listed_date


class _Rows:
    """Rows per model with ids handed out in advance, written with COPY in batches."""

    def __init__(self) -> None:
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self.next_id: dict[type, int] = {}
        self.first_id: dict[type, int] = {}
        self.m2m: list[tuple[int, int]] = []
        self.counts: dict[str, int] = defaultdict(int)

    def new(self, model: type, **values) -> dict:
        if model not in self.next_id:
            current = model._base_manager.aggregate(top=Max("id"))["top"] or 0
            self.next_id[model] = self.first_id[model] = current + 1
        values["id"] = self.next_id[model]
        self.next_id[model] += 1
        self.rows[model].append(values)
        return values

    def flush(self) -> None:
        """COPY the rows gathered so far (inside the caller's transaction) and forget them."""
        now = timezone.now()
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # the psycopg cursor, for COPY
            for model, rows in self.rows.items():
                fields = model._meta.concrete_fields
                defaults = {f.attname: (f.get_default() if f.has_default() else None) for f in fields}
                defaults.update({"created_at": now, "updated_at": now})
                names = [f.attname for f in fields]
                table = sql.Identifier(model._meta.db_table)
                columns = sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
                with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, columns)) as copy:
                    for row in rows:
                        copy.write_row([row[n] if n in row else defaults[n] for n in names])
                self.counts[str(model._meta.verbose_name_plural)] += len(rows)
            through = m.PreProceedingsEpisode.children.through
            with cursor.copy(
                sql.SQL("COPY {} (preproceedingsepisode_id, child_id) FROM STDIN").format(
                    sql.Identifier(through._meta.db_table)
                )
            ) as copy:
                for pair in self.m2m:
                    copy.write_row(pair)
        self.rows.clear()
        self.m2m.clear()

    def finish(self, *, history_by_sql: bool) -> None:
        """Move id sequences past the new rows; write their insert events if triggers were off."""
        with connection.cursor() as cursor:
            for model, first in self.first_id.items():
                table = model._meta.db_table
                cursor.execute(
                    sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM {}))")
                    .format(sql.Identifier(table))
                    .as_string(cursor.connection),
                    [table],
                )
                event_model = getattr(model, "pgh_event_models", {}).get("insert")
                if history_by_sql and event_model is not None:
                    tracked = [f.column for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]
                    cols = sql.SQL(", ").join(sql.Identifier(c) for c in tracked)
                    cursor.execute(
                        sql.SQL(
                            "INSERT INTO {event} (pgh_created_at, pgh_label, pgh_obj_id, {cols}) "
                            "SELECT now(), 'insert', id, {cols} FROM {table} WHERE id >= %s"
                        )
                        .format(
                            event=sql.Identifier(event_model._meta.db_table), cols=cols, table=sql.Identifier(table)
                        )
                        .as_string(cursor.connection),
                        [first],
                    )


def _can_skip_triggers() -> bool:
    """Superusers (CI) and the maintenance role (granted SET on session_replication_role by
    ``manage.py db_roles``, PostgreSQL 15 and later) load with triggers off; others row by row with them on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            return True
        if connection.pg_version < 150000:
            return False
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])


class _Generator:
    def __init__(self, *, seed: int, scale: float, years: int, as_of: dt.date) -> None:
        self.rnd = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.scale = scale
        self.years = years
        self.as_of = as_of
        self.first_day = as_of - dt.timedelta(days=round(365.25 * years))
        self.rows = _Rows()
        self.serial = defaultdict(int)
        self.outcomes = {o.code: o for o in m.OrderOutcome.objects.all()}
        self.hearing_types = {h.code: h for h in m.HearingType.objects.all()}
        self.assessment_types = {a.code: a for a in m.AssessmentType.objects.all()}
        self.limits = thresholds.current()

    # -- small helpers ---------------------------------------------------------------------
    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rnd.randint(low, high))

    def weighted(self, weights: dict[str, int]) -> str:
        return self.rnd.choices(list(weights), weights=list(weights.values()))[0]

    def random_date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rnd.randint(0, max(0, (end - start).days)))

    def reference(self, la: m.LocalAuthority, kind: str) -> str:
        self.serial[(la.dfe_code, kind)] += 1
        return f"{PREFIX[la.dfe_code]}-{kind}{self.serial[(la.dfe_code, kind)]:07d}"

    def s31_duration_days(self, shift_weeks: float = 0.0) -> int:
        """About 55 weeks on average for concluded cases: some within the time limit, a long tail past a year.

        ``shift_weeks`` (``duration_shift``) lengthens or shortens this case: fewer cases with a
        positive shift finish within the limit, and its tail is that much longer.
        """
        limit = self.limits.s31_limit_weeks
        if self.rnd.random() < WITHIN_LIMIT_SHARE * math.exp(-shift_weeks / 6):
            weeks = self.rnd.uniform(12, limit)
        else:
            weeks = limit + 1 + max(0.0, self.rnd.gammavariate(*LONG_TAIL_GAMMA) + shift_weeks - AVERAGE_SHIFT_WEEKS)
        return round(weeks * 7)

    @staticmethod
    def duration_shift(
        la, court: str, kids: list[dict], issue: dt.date, *, short_notice: bool, previous: bool
    ) -> float:
        """Weeks this application's facts add to its duration (``WEEKS_PER_EXTRA_CHILD`` and the rest)."""
        born = [kid for kid in kids if kid["date_of_birth"] is not None]
        baby = any((issue - kid["date_of_birth"]).days < 365 for kid in born)
        return (
            WEEKS_PER_EXTRA_CHILD * max(0, len(born) - 1)
            + (PREVIOUS_PROCEEDINGS_WEEKS if previous else 0.0)
            + (SHORT_NOTICE_WEEKS if short_notice else 0.0)
            + (BABY_WEEKS if baby else 0.0)
            + COURT_WEEKS.get(court, 0.0)
            + LA_WEEKS.get(la.dfe_code, 0.0)
        )

    def pp_duration_days(self) -> int:
        """Pre-proceedings: typically 12-20 weeks, a tail of drifting episodes past 30 weeks."""
        return round((6 + self.rnd.gammavariate(2.2, 6.5)) * 7)

    # -- users -----------------------------------------------------------------------------
    def social_workers(self) -> dict[int, list[int]]:
        """Synthetic allocated social workers (no usable password), a handful per team."""
        unusable = make_password(None)
        by_team: dict[int, list[int]] = {}
        per_team = max(4, round(4 * self.scale**0.5))
        existing = set(m.User.objects.values_list("username", flat=True))
        for team in m.Team.objects.select_related("local_authority"):
            ids = []
            for n in range(1, per_team + 1):
                username = f"sw-{team.pk}-{n}"
                first, last = self.rnd.choice(FIRST_NAMES), self.rnd.choice(SURNAMES)
                if username in existing:
                    ids.append(m.User.objects.get(username=username).pk)
                    continue
                row = self.rows.new(
                    m.User,
                    username=username,
                    password=unusable,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.test",
                    is_active=True,
                    is_staff=False,
                    is_superuser=False,
                    role=c.Role.SOCIAL_WORKER,
                    local_authority_id=team.local_authority_id,
                    team_id=team.pk,
                    date_joined=timezone.now(),
                )
                ids.append(row["id"])
            by_team[team.pk] = ids
        return by_team

    # -- families and children -------------------------------------------------------------
    def family(self, la, teams, workers) -> dict:
        team = self.rnd.choice(teams)
        worker = None if self.rnd.random() < 0.03 else self.rnd.choice(workers[team.pk])
        name = self.rnd.choice(SURNAMES)
        return self.rows.new(
            m.Family,
            local_authority_id=la.pk,
            la_reference=self.reference(la, "F"),
            name=name,
            team_id=team.pk,
            social_worker_id=worker,
        )

    def children(self, la, family: dict, on: dt.date, *, unborn: bool) -> list[dict]:
        count = self.rnd.choices([1, 2, 3, 4], weights=[62, 24, 10, 4])[0]
        kids = []
        for index in range(count):
            dob, due = None, None
            if unborn and index == 0:
                due = on + self.days(28, 150)
                if due <= self.as_of:
                    dob, due = due + self.days(-10, 10), None
                    dob = min(dob, self.as_of)
            else:
                baby = index == 0 and self.rnd.random() < 0.25
                age_days = self.rnd.randint(20, 364) if baby else self.rnd.randint(365, 16 * 365)
                dob = on - dt.timedelta(days=age_days)
            kids.append(
                self.rows.new(
                    m.Child,
                    local_authority_id=la.pk,
                    family_id=family["id"],
                    la_child_id=self.reference(la, "C"),
                    first_name="" if dob is None else self.rnd.choice(FIRST_NAMES),
                    last_name=family["name"],
                    date_of_birth=dob,
                    expected_due_date=due,
                    sex=c.Sex.UNKNOWN if dob is None else self.rnd.choice([c.Sex.MALE, c.Sex.FEMALE]),
                    ethnicity=self.rnd.choices(
                        [
                            c.Ethnicity.WBRI,
                            c.Ethnicity.WOTH,
                            c.Ethnicity.MWBC,
                            c.Ethnicity.BAFR,
                            c.Ethnicity.AOTH,
                            c.Ethnicity.WROM,
                            c.Ethnicity.NOBT,
                        ],
                        weights=[72, 8, 5, 5, 4, 2, 4],
                    )[0],
                )
            )
        return kids

    # -- pre-proceedings -------------------------------------------------------------------
    def episode(self, la, family, kids, start: dt.date, outcome: str, *, pre_birth: bool, repeat: bool) -> dict:
        """An episode from gateway decision; its outcome applies only if decided by ``as_of``."""
        duration = self.pp_duration_days()
        decision = start + dt.timedelta(days=duration)
        decided = decision <= self.as_of
        lbp = start + self.days(3, 14)
        fgdm_offered = self.rnd.random() < 0.75
        offered_date = lbp if fgdm_offered else None
        held_date = offered_date + self.days(14, 42) if fgdm_offered else None
        facilitated = None
        if fgdm_offered and held_date <= self.as_of:
            facilitated = self.rnd.random() < 0.65
        elif fgdm_offered and decided:
            facilitated = False
        if not facilitated:
            held_date = None
        if held_date and decided and held_date > decision:
            held_date = decision
        episode = self.rows.new(
            m.PreProceedingsEpisode,
            local_authority_id=la.pk,
            family_id=family["id"],
            gateway_meeting_date=start,
            gateway_outcome=c.GatewayOutcome.START_PRE_PROCEEDINGS,
            start_date=start,
            lbp_sent_date=lbp if lbp <= self.as_of else None,
            fgdm_offered=fgdm_offered if lbp <= self.as_of else None,
            fgdm_offered_date=offered_date if lbp <= self.as_of else None,
            fgdm_facilitated=facilitated,
            fgdm_held_date=held_date,
            previous_pre_proceedings=repeat or self.rnd.random() < 0.12,
            previous_care_proceedings=self.rnd.random() < 0.10,
            parents_legal_representation=self.rnd.choices(
                [c.LegalRepresentation.ALL, c.LegalRepresentation.SOME, c.LegalRepresentation.NONE],
                weights=[70, 20, 10],
            )[0],
            pre_birth=pre_birth,
            step_decision_date=decision if decided else None,
            outcome=outcome if decided else "",
            court_application_date=None,
            letter_initiating_cp_date=None,
        )
        for kid in kids:
            self.rows.m2m.append((episode["id"], kid["id"]))
        # Initial meeting, then reviews about every six weeks until the decision (or today).
        end = decision if decided else self.as_of
        meeting = lbp + self.days(7, 21)
        kind = c.MeetingKind.INITIAL
        while meeting <= end and meeting <= self.as_of:
            self.rows.new(
                m.PreProceedingsMeeting,
                local_authority_id=la.pk,
                episode_id=episode["id"],
                kind=kind,
                meeting_date=meeting,
                note="",
            )
            kind = c.MeetingKind.REVIEW
            meeting += self.days(35, 63) if self.rnd.random() < 0.8 else self.days(70, 120)
        self.assessments(la, family, start, end, episode_id=episode["id"])
        if self.rnd.random() < 0.35:
            self.delay(
                la,
                family,
                self.random_date(start, end),
                c.DelayedItem.PRE_PROCEEDINGS,
                PP_DELAY_REASONS,
                episode_id=episode["id"],
            )
        return episode

    def assessments(self, la, family, start, end, *, episode_id=None, proceedings_id=None, expert_factor=1.0) -> None:
        plan = []
        if episode_id:
            plan = [
                ("parenting", 0.8, c.AssessmentProvider.IN_HOUSE),
                ("viability", 0.55, c.AssessmentProvider.IN_HOUSE),
                ("viability", 0.3, c.AssessmentProvider.IN_HOUSE),
                ("connected_carer", 0.3, c.AssessmentProvider.REGIONAL_HUB),
                ("parent_assess", 0.08, c.AssessmentProvider.REGIONAL_HUB),
                ("psychological", 0.12, c.AssessmentProvider.EXPERT),
            ]
        else:
            plan = [
                ("psychological", 0.35, c.AssessmentProvider.EXPERT),
                ("isw", 0.2, c.AssessmentProvider.ISW),
                ("cognitive", 0.12, c.AssessmentProvider.EXPERT),
                ("psychiatric", 0.1, c.AssessmentProvider.EXPERT),
                ("connected_carer", 0.35, c.AssessmentProvider.IN_HOUSE),
                ("viability", 0.25, c.AssessmentProvider.IN_HOUSE),
            ]
        for code, chance, provider in plan:
            if provider in (c.AssessmentProvider.EXPERT, c.AssessmentProvider.ISW):
                chance = min(0.95, chance * expert_factor)
            if self.rnd.random() >= chance:
                continue
            kind = self.assessment_types[code]
            latest = min(end, self.as_of)
            instructed = self.random_date(start, start + (latest - start) * 0.4)
            if instructed > self.as_of:
                continue
            target_days = (kind.target_weeks or self.rnd.choice([8, 10, 12])) * 7
            due = instructed + dt.timedelta(days=target_days)
            completed = instructed + dt.timedelta(days=max(5, round(target_days * self.rnd.lognormvariate(0.05, 0.3))))
            if completed > self.as_of:
                completed = None
            outcome = ""
            if completed:
                outcome = self.rnd.choices(
                    [c.AssessmentOutcome.POSITIVE, c.AssessmentOutcome.NEGATIVE, c.AssessmentOutcome.INCONCLUSIVE],
                    weights=[40, 45, 15],
                )[0]
            self.rows.new(
                m.Assessment,
                local_authority_id=la.pk,
                family_id=family["id"],
                episode_id=episode_id,
                proceedings_id=proceedings_id,
                assessment_type_id=code,
                provider=provider,
                subject=self.rnd.choice(
                    ["Mother", "Father", "Both parents", "Maternal grandmother", "Paternal aunt", "Family friend"]
                ),
                instructed_date=instructed,
                due_date=due,
                completed_date=completed,
                outcome=outcome,
            )

    def delay(self, la, family, on: dt.date, item: str, reasons: dict, *, days=None, **links) -> None:
        if on > self.as_of:
            return
        self.rows.new(
            m.DelayEvent,
            local_authority_id=la.pk,
            family_id=family["id"],
            proceedings_id=links.get("proceedings_id"),
            episode_id=links.get("episode_id"),
            event_date=on,
            delayed_item=item,
            days_lost=days or self.rnd.randint(7, 56),
            reason_id=self.weighted(reasons),
            note="",
        )

    # -- proceedings -----------------------------------------------------------------------
    def proceedings(
        self, la, family, kids, issue: dt.date, *, episode_id=None, short_notice=False, previous=False
    ) -> None:
        if issue > self.as_of or all(kid["date_of_birth"] is None for kid in kids):
            return  # not issued yet (an unborn child joins proceedings once born)
        court = self.rnd.choice(COURTS_BY_LA[la.dfe_code])
        shift = self.duration_shift(la, court, kids, issue, short_notice=short_notice, previous=previous)
        duration = self.s31_duration_days(shift)
        conclusion = issue + dt.timedelta(days=duration)
        concluded = conclusion <= self.as_of
        self.serial[("case", court, issue.year)] += 1
        proceedings = self.rows.new(
            m.Proceedings,
            local_authority_id=la.pk,
            family_id=family["id"],
            episode_id=episode_id,
            court_id=court,
            court_case_number=f"{court[:2].upper()}{issue:%y}C{self.serial[('case', court, issue.year)]:05d}",
            issue_date=issue,
            judge=self.rnd.choice(JUDGES),
            guardian_allocated_date=min(issue + self.days(1, 12), self.as_of),
            short_notice=short_notice,
            short_notice_reason=self.rnd.choice(
                [
                    c.ShortNoticeReason.IMMEDIATE_SAFETY,
                    c.ShortNoticeReason.IMMEDIATE_SAFETY,
                    c.ShortNoticeReason.EPO_CRITERIA,
                    c.ShortNoticeReason.ABDUCTION,
                    c.ShortNoticeReason.OTHER,
                ]
            )
            if short_notice
            else "",
            concluded_date=conclusion if concluded else None,
        )
        pid = proceedings["id"]
        outcome = self.weighted(OUTCOME_WEIGHTS)
        # An unborn child joins the proceedings once born.
        born = [kid for kid in kids if kid["date_of_birth"] is not None]
        interim = {
            kid["id"]: self.rnd.choice(
                [c.CarePlan.LONG_TERM_FOSTERING, c.CarePlan.FAMILY_OR_FRIENDS, c.CarePlan.REMAIN_WITH_PARENTS]
            )
            for kid in born
        }
        at_home = all(plan == c.CarePlan.REMAIN_WITH_PARENTS for plan in interim.values())
        story = _Story(
            issue=issue,
            conclusion=conclusion,
            short_notice=short_notice,
            interim_order=c.HearingOrder.INTERIM_SUPERVISION if at_home else c.HearingOrder.INTERIM_CARE,
            placement=outcome == "placement_order",
        )
        plan = self.hearing_plan(story)
        self.write_hearings(la, family, pid, plan)
        long = conclusion > self.limits.timetable_end(issue)
        self.assessments(
            la,
            family,
            issue,
            conclusion,
            proceedings_id=pid,
            expert_factor=LONG_CASE_EXPERT_FACTOR if long else SHORT_CASE_EXPERT_FACTOR,
        )
        parts = []
        for kid in born:
            parts.append(
                self.rows.new(
                    m.ChildProceedings,
                    local_authority_id=la.pk,
                    proceedings_id=pid,
                    child_id=kid["id"],
                    interim_plan=interim[kid["id"]],
                    interim_plan_approved=True if self.rnd.random() < 0.93 else None,
                    final_plan=PLAN_FOR_OUTCOME[outcome] if concluded else "",
                    final_plan_approved=(self.rnd.random() < 0.9) if concluded else None,
                    final_outcome_id=outcome if concluded else None,
                    final_outcome_date=conclusion if concluded else None,
                )["id"]
            )
        self.extensions(la, parts, story, [listing for listing in plan if listing.code == "final"])

    def extensions(self, la, part_ids: list[int], story: _Story, finals: list[_Listing]) -> None:
        """Extensions when the case is about to run past its timetable's end: per child, up to the longest each.

        The court considers one when it lists the final hearing for a date past the end, or shortly
        before the end; it grants one only sometimes (``EXTENSION_CHANCES``), for all the children
        of the application, up to the final hearing's date where that is near. Many long cases run
        past the limit with none recorded.
        """
        end = self.limits.timetable_end(story.issue)
        decided = story.issue
        for chance in EXTENSION_CHANCES:
            if story.conclusion <= end:
                return
            listed_beyond = [f.listed_on for f in finals if f.listed_date > end and decided < f.listed_on <= end]
            day = min(listed_beyond) if listed_beyond else end - self.days(0, 21)
            day = max(day, decided + dt.timedelta(days=7))
            if day > self.as_of or day >= end or self.rnd.random() >= chance:
                return
            in_force = [f for f in finals if f.listed_on <= day]
            final_date = max(in_force, key=lambda f: f.listed_on).listed_date if in_force else None
            longest = end + self.limits.extension_max
            new_end = longest
            if final_date is not None and end < final_date < longest:
                new_end = min(longest, final_date + self.days(0, 14))
            reason = self.rnd.choice(EXTENSION_REASONS)
            for part_id in part_ids:
                self.rows.new(
                    m.Extension,
                    local_authority_id=la.pk,
                    child_proceedings_id=part_id,
                    granted_date=day,
                    new_end_date=new_end,
                    reason=reason,
                )
            end, decided = new_end, day

    # -- hearings --------------------------------------------------------------------------
    def hearing_plan(self, story: _Story) -> list[_Listing]:
        """Every listing of an application from issue to its final hearing, as it will happen.

        The court lists any urgent hearing on issue and the CMH on day 2 (allocation); at the CMH it
        timetables a further CMH or a fact-finding hearing where needed, the IRH and the final
        hearing (some IRHs and finals are fixed at a later hearing instead). A case that runs past
        its time limit does so as its hearings are adjourned on the day or vacated before it and
        re-listed, often at the IRH; a hearing no longer needed is vacated and not re-listed.
        ``write_hearings`` keeps only the listings made by the seed's date.
        """
        plan: list[_Listing] = []
        cmh_date = self.cmh_date(story)
        interim_made = self.urgent_hearings(plan, story, before=cmh_date)
        cmh = self.cmh_listings(plan, story, cmh_date, interim_made)
        irh, final = self.timetable(story, cmh)
        has_irh = irh >= cmh + dt.timedelta(days=28)
        fixed_at = self.interim_hearings(plan, cmh, irh if has_irh else final)
        # How a long case loses its time: the IRH put off, or the final moved at the IRH or on its day.
        pattern = self.rnd.choices(["irh_on_time", "irh_put_off", "final_put_off"], weights=[38, 15, 47])[0]
        irh_held = irh_put_off = None
        if has_irh:
            at_further_cmh = fixed_at is not None and fixed_at < irh - dt.timedelta(days=7)
            irh_listed_on = fixed_at if at_further_cmh and self.rnd.random() < 0.5 else cmh
            irh_held, irh_put_off = self.irh_listings(plan, story, irh_listed_on, irh, pattern)
        self.final_listings(plan, story, cmh, final, irh_held, irh_put_off, pattern)
        return plan

    def urgent_hearings(self, plan: list[_Listing], story: _Story, *, before: dt.date) -> bool:
        """An urgent hearing listed on issue (short notice), or an interim care hearing at allocation.

        Each takes place before the CMH (on ``before``). Returns whether an interim order was made.
        """
        issue, latest = story.issue, before - dt.timedelta(days=1)

        def put_off(date: dt.date, chance: float, high: int) -> dt.date:
            return min(self.put_off(date, chance, 1, high), max(date, latest))

        if story.short_notice:
            first = issue + self.days(0, 2)
            if self.rnd.random() < 0.35:
                epo = self.listing(plan, "epo", issue, first, put_off(first, 0.04, 3), [c.HearingOrder.EPO])
                # Before the emergency protection order ends.
                ico = max(epo.listed_date, min(epo.listed_date + self.days(5, 8), latest))
                self.listing(plan, "interim_care", epo.listed_date, ico, ico, [story.interim_order])
            else:
                self.listing(plan, "interim_care", issue, first, put_off(first, 0.06, 7), [story.interim_order])
            return True
        if self.rnd.random() < 0.25:
            allocation = issue + dt.timedelta(days=1)
            ico = max(allocation, min(allocation + self.days(2, 9), latest))
            self.listing(plan, "interim_care", allocation, ico, put_off(ico, 0.06, 7), [story.interim_order])
            return True
        return False

    def cmh_date(self, story: _Story) -> dt.date:
        """The date the CMH is listed for: usually within the PD12A window, sometimes later, rarely earlier."""
        limits = self.limits
        roll = self.rnd.random()
        if roll < 0.9:
            day = self.rnd.randint(limits.cmh_earliest_day, limits.cmh_latest_day)
        elif roll < 0.98:
            day = self.rnd.randint(limits.cmh_latest_day + 1, limits.cmh_latest_day + 14)
        else:
            day = self.rnd.randint(limits.cmh_earliest_day - 4, limits.cmh_earliest_day - 1)
        return story.issue + dt.timedelta(days=day - 1)  # day 1 is the issue date

    def cmh_listings(self, plan: list[_Listing], story: _Story, date: dt.date, interim_made: bool) -> dt.date:
        """The CMH, listed on day 2 (allocation) for ``date``; returns the day it is held."""
        orders = [c.HearingOrder.DIRECTIONS] + ([] if interim_made else [story.interim_order])
        allocation = story.issue + dt.timedelta(days=1)
        return self.listing(plan, "cmh", allocation, date, self.put_off(date, 0.06, 7, 21), orders).listed_date

    def timetable(self, story: _Story, cmh: dt.date) -> tuple[dt.date, dt.date]:
        """The IRH and final hearing dates as the CMH timetables them.

        A case that will be decided within the time limit is timetabled to its final hearing; a
        longer one is usually timetabled to finish within the limit (IRH in weeks 16 to 20), and only
        sometimes has its IRH after week 20 or its final hearing past the limit from the start.
        """
        issue, conclusion, limits = story.issue, story.conclusion, self.limits
        end = limits.timetable_end(issue)
        if conclusion <= end:
            final = conclusion
            if self.rnd.random() < 0.2:
                final = conclusion - self.days(14, 35)  # put off once, still within the limit
            return final - self.days(21, 49), final
        irh = issue + dt.timedelta(days=self.rnd.randint(limits.irh_by_days - 28, limits.irh_by_days))
        if self.rnd.random() < 0.05:
            irh = issue + dt.timedelta(days=limits.irh_by_days + self.rnd.randint(1, 28))
        if self.rnd.random() < 0.94:
            final = min(max(irh + self.days(21, 49), end - self.days(0, 28)), end)
        else:
            final = end + self.days(7, 49)
        return irh, max(min(final, conclusion), cmh + dt.timedelta(days=1))

    def interim_hearings(self, plan: list[_Listing], cmh: dt.date, before: dt.date) -> dt.date | None:
        """A further CMH or a fact-finding hearing, fixed at the CMH for a date before ``before``.

        Returns the day a further CMH was held (the IRH may be fixed there), if there was one.
        """
        room = (before - cmh).days
        held = None
        if room > 42 and self.rnd.random() < 0.3:
            day = cmh + self.days(28, min(63, room - 14))
            if self.rnd.random() < 0.12:
                self.dropped(plan, "further_cmh", cmh, day)
            else:
                orders = [c.HearingOrder.DIRECTIONS]
                held = self.listing(plan, "further_cmh", cmh, day, self.put_off(day, 0.1, 7, 14), orders).listed_date
        if room > 70 and self.rnd.random() < 0.1:
            day = cmh + self.days(35, room - 21)
            if self.rnd.random() < 0.2:
                self.dropped(plan, "fact_finding", cmh, day)
            else:
                orders = [c.HearingOrder.DIRECTIONS]
                self.listing(plan, "fact_finding", cmh, day, self.put_off(day, 0.2, 14, 35), orders)
        return held

    def irh_listings(
        self, plan: list[_Listing], story: _Story, listed_on: dt.date, irh: dt.date, pattern: str
    ) -> tuple[dt.date | None, dt.date | None]:
        """The IRH's listings: the day it was held and the day it was first put off (or held), if it was."""
        if self.rnd.random() < 0.05:
            self.dropped(plan, "irh", listed_on, irh)  # the case goes straight to the final hearing
            return None, None
        long = story.conclusion > self.limits.timetable_end(story.issue)
        put_off = long and pattern == "irh_put_off"
        takes_place = irh + self.days(14, 42) if put_off else self.put_off(irh, 0.06, 14, 35)
        takes_place = max(irh, min(takes_place, story.conclusion - dt.timedelta(days=7)))
        held = self.listing(plan, "irh", listed_on, irh, takes_place, [c.HearingOrder.DIRECTIONS])
        first = held
        while first.replaces is not None:
            first = first.replaces
        return held.listed_date, first.ended or held.listed_date

    def final_listings(
        self,
        plan: list[_Listing],
        story: _Story,
        cmh: dt.date,
        final: dt.date,
        irh_held: dt.date | None,
        irh_put_off: dt.date | None,
        pattern: str,
    ) -> None:
        """The final hearing: fixed at the CMH (sometimes at the IRH), re-listed until it is heard.

        In a long case fixed at the CMH, the final is vacated when the IRH is put off (and re-listed
        after the new IRH date) or at the IRH itself, or it is put off on or near its own day.
        """
        conclusion = story.conclusion
        long = conclusion > self.limits.timetable_end(story.issue)
        put_off = relisting = None
        if irh_held is not None and self.rnd.random() < 0.12:
            listed_on = irh_held
            final = min(max(final, irh_held + self.days(14, 35)), conclusion)
        else:
            listed_on = cmh
            if long and pattern != "final_put_off" and irh_put_off is not None and cmh <= irh_put_off <= final:
                # Re-listed as soon as the court can, within an extension's reach where it can.
                put_off = irh_put_off
                relisting = self.limits.timetable_end(story.issue) + self.days(7, self.limits.extension_max_days)
                if pattern == "irh_put_off" and irh_held is not None:
                    relisting = max(relisting, irh_held + self.days(21, 35))  # after the re-listed IRH
        heard = self.listing(
            plan, "final", listed_on, final, conclusion, [], first_put_off=put_off, first_relisting=relisting
        )
        if story.placement and self.rnd.random() < 0.8:
            # The placement application is listed with the final hearing that decides the case.
            self.listing(plan, "placement", heard.listed_on, conclusion, conclusion, [])

    def put_off(self, date: dt.date, chance: float, low: int, high: int) -> dt.date:
        """The day a hearing listed for ``date`` takes place: that day, or with ``chance`` a few days or weeks later."""
        return date + self.days(low, high) if self.rnd.random() < chance else date

    def listing(
        self,
        plan: list[_Listing],
        code: str,
        listed_on: dt.date,
        date: dt.date,
        takes_place: dt.date,
        orders: list[str],
        *,
        first_put_off: dt.date | None = None,
        first_relisting: dt.date | None = None,
    ) -> _Listing:
        """A hearing listed on ``listed_on`` for ``date``, re-listed until it takes place on ``takes_place``.

        Each time it is put off it is adjourned on the day or vacated before it, with a reason, and
        a new listing replaces it, made that day or soon after. ``first_put_off`` is the day the
        first listing is put off when another hearing decides it (the IRH moving the final), and
        ``first_relisting`` the date it is then re-listed for. Returns the listing that took place.
        """
        previous = None
        listed_on = min(listed_on, date)
        listings = 0
        while True:
            listings += 1
            listing = _Listing(code, listed_on, date, replaces=previous)
            if previous is not None and self.rnd.random() < 0.15:
                listing.note = self.rnd.choice(RELISTING_NOTES)
            plan.append(listing)
            if date >= takes_place:
                listing.orders = list(orders)
                return listing
            first = previous is None
            if first and first_put_off is not None:
                ended = first_put_off
            elif self.rnd.random() < 0.5:
                ended = date
            else:
                ended = max(listed_on, date - self.days(1, 21))
            listing.status = c.HearingStatus.ADJOURNED if ended == date else c.HearingStatus.VACATED
            listing.ended = ended
            listing.reason = self.weighted(HEARING_REASON_WEIGHTS)
            if listing.status == c.HearingStatus.ADJOURNED and self.rnd.random() < 0.4:
                listing.orders = [c.HearingOrder.DIRECTIONS]
            if listing.reason in REASON_NOTES and self.rnd.random() < 0.35:
                listing.outcome_note = REASON_NOTES[listing.reason]
            # A long way off, re-listed part of the way (at most twice); else for the day it takes place.
            gap = (takes_place - date).days
            next_date = takes_place if gap <= 112 or listings >= 2 else date + self.days(28, gap - 28)
            if first and first_relisting is not None:
                next_date = max(date + dt.timedelta(days=1), min(first_relisting, takes_place))
            lag = self.rnd.choices([0, self.rnd.randint(1, 14), self.rnd.randint(15, 56)], weights=[70, 20, 10])[0]
            listed_on = max(ended, min(ended + dt.timedelta(days=lag), next_date - dt.timedelta(days=7)))
            previous, date = listing, next_date

    def dropped(self, plan: list[_Listing], code: str, listed_on: dt.date, date: dt.date) -> _Listing:
        """A hearing vacated before its day and not re-listed: no longer needed after a change in the case."""
        listed_on = min(listed_on, date)
        listing = _Listing(
            code,
            listed_on,
            date,
            status=c.HearingStatus.VACATED,
            ended=max(listed_on, date - self.days(1, 21)),
            reason=self.weighted(NOT_RELISTED_REASON_WEIGHTS),
        )
        if self.rnd.random() < 0.35:
            listing.outcome_note = REASON_NOTES.get(listing.reason, "")
        plan.append(listing)
        return listing

    def write_hearings(self, la, family, pid: int, plan: list[_Listing]) -> None:
        """The listings made by the seed's date, as they stand then, each put-off one with its delay event."""
        ids: dict[int, int] = {}
        written: list[_Listing] = []
        for listing in sorted(plan, key=lambda item: (item.listed_on, item.listed_date)):
            if listing.listed_on > self.as_of:
                continue  # not listed yet
            known = listing.outcome_day <= self.as_of  # what came of it, if that day has come
            row = self.rows.new(
                m.Hearing,
                local_authority_id=la.pk,
                proceedings_id=pid,
                hearing_type_id=listing.code,
                listed_on=listing.listed_on,
                listed_date=listing.listed_date,
                status=listing.status if known else c.HearingStatus.LISTED,
                vacated_on=listing.ended if known and listing.status == c.HearingStatus.VACATED else None,
                reason_id=listing.reason if known else None,
                replaces_id=ids[id(listing.replaces)] if listing.replaces is not None else None,
                orders_made=listing.orders if known else [],
                note=(listing.outcome_note if known else "") or listing.note,
            )
            ids[id(listing)] = row["id"]
            written.append(listing)
        for listing in written:
            old = listing.replaces
            if old is None:
                continue
            self.rows.new(
                m.DelayEvent,
                local_authority_id=la.pk,
                family_id=family["id"],
                proceedings_id=pid,
                episode_id=None,
                event_date=old.ended,
                delayed_item=c.DelayedItem.FINAL_HEARING if old.code == "final" else c.DelayedItem.HEARING,
                days_lost=(listing.listed_date - old.listed_date).days,
                reason_id=old.reason,
                note="",
            )

    # -- the whole region ------------------------------------------------------------------
    def run(self) -> None:
        workers = self.social_workers()
        populations = {p.local_authority_id: p.population for p in m.ChildPopulation.objects.order_by("year")}
        total = sum(populations.values())
        span_days = (self.as_of - self.first_day).days
        self.rows.flush()
        for la in m.LocalAuthority.objects.order_by("dfe_code"):
            teams = list(la.teams.order_by("pk"))
            per_year = APPLICATIONS_PER_YEAR_AT_SCALE_1 * self.scale * populations[la.pk] / total
            applications = per_year * span_days / 365.25
            episodes = round(applications * (1 - SHORT_NOTICE_SHARE) / ISSUE_SHARE)
            for _ in range(episodes):
                start = self.first_day + dt.timedelta(days=self.rnd.randint(0, span_days))
                self.episode_family(la, teams, workers, start)
            for _ in range(round(applications * SHORT_NOTICE_SHARE)):
                issue = self.first_day + dt.timedelta(days=self.rnd.randint(0, span_days))
                family = self.family(la, teams, workers)
                kids = self.children(la, family, issue, unborn=False)
                self.proceedings(la, family, kids, issue, short_notice=True)
            self.rows.flush()

    def episode_family(self, la, teams, workers, start: dt.date, *, repeat: bool = False, family=None, kids=None):
        pre_birth = family is None and self.rnd.random() < PRE_BIRTH_SHARE
        if family is None:
            family = self.family(la, teams, workers)
            kids = self.children(la, family, start, unborn=pre_birth)
        outcome = self.rnd.choices(
            [c.PPOutcome.STEP_DOWN, c.PPOutcome.ISSUE, c.PPOutcome.OTHER],
            weights=[STEP_DOWN_SHARE, ISSUE_SHARE, OTHER_SHARE],
        )[0]
        episode = self.episode(la, family, kids, start, outcome, pre_birth=pre_birth, repeat=repeat)
        decision = episode["step_decision_date"]
        if decision is None:
            return
        if outcome == c.PPOutcome.ISSUE:
            application = decision + self.days(0, 21)
            if application <= self.as_of:
                episode["court_application_date"] = application
                letter = application + self.days(0, 3)
                episode["letter_initiating_cp_date"] = letter if letter <= self.as_of else None
                self.proceedings(
                    la,
                    family,
                    kids,
                    application + self.days(1, 5),
                    episode_id=episode["id"],
                    previous=episode["previous_care_proceedings"],
                )
        elif outcome == c.PPOutcome.STEP_DOWN and not repeat and self.rnd.random() < REPEAT_SHARE * 2:
            again = decision + self.days(120, 540)
            if again <= self.as_of:
                self.episode_family(la, teams, workers, again, repeat=True, family=family, kids=kids)


def seed_demo(*, seed: int = 1, scale: float = 1.0, years: int = 5, as_of: dt.date | None = None) -> Summary:
    """Generate and load synthetic data for the four LAs in one transaction."""
    if scale <= 0 or years < 1:
        raise ValueError("scale must be above 0 and years at least 1")
    started = time.monotonic()
    as_of = as_of or timezone.localdate()
    generator = _Generator(seed=seed, scale=scale, years=years, as_of=as_of)
    with transaction.atomic():
        # Row triggers (history and foreign-key checks) cost ~0.5 ms a row; at national scale the
        # load would take an hour. Generated rows are consistent by construction, so a superuser
        # loads them with triggers off and writes their insert events in one statement per table.
        fast = _can_skip_triggers()
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        generator.run()
        generator.rows.finish(history_by_sql=fast)
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
    with connection.cursor() as cursor:
        # Fresh statistics first: without them the facts rebuild below plans its lateral lookups
        # blind and, at national size, takes minutes instead of a second or two.
        cursor.execute("ANALYZE")
    # The load ran with triggers off: rebuild the tracker's stored facts from their view.
    services.facts_rebuild()
    summary = summarise(as_of=as_of)
    summary.rows = dict(generator.rows.counts)
    summary.seconds = time.monotonic() - started
    return summary


def summarise(*, as_of: dt.date) -> Summary:
    """Headline figures over all data, worked out in SQL (a sanity check on the calibration)."""
    limits = thresholds.current()
    summary = Summary(s31_limit_weeks=limits.s31_limit_weeks)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH apps AS (
                SELECT p.id, p.issue_date, MAX(cp.final_outcome_date) AS concluded,
                       BOOL_AND(cp.final_outcome_id IS NOT NULL) AS all_decided
                FROM cases_proceedings p JOIN cases_childproceedings cp ON cp.proceedings_id = p.id
                GROUP BY p.id, p.issue_date
            )
            SELECT COUNT(*) FILTER (WHERE all_decided),
                   AVG((concluded - issue_date) / 7.0) FILTER (WHERE all_decided),
                   AVG(((concluded - issue_date) <= %(s31_limit_days)s)::int) FILTER (WHERE all_decided),
                   COUNT(*) FILTER (WHERE NOT all_decided)
            FROM apps
            """,
            limits.as_sql_params(),
        )
        concluded, mean_weeks, within, still_open = cursor.fetchone()
        cursor.execute(
            """
            SELECT COUNT(*) FILTER (WHERE outcome <> ''),
                   SUM((outcome = 'step_down')::int)::float
                     / NULLIF(SUM((outcome IN ('step_down', 'issue'))::int), 0),
                   COUNT(*) FILTER (WHERE start_date IS NOT NULL AND step_decision_date IS NULL)
            FROM cases_preproceedingsepisode
            """
        )
        decided, rate, open_episodes = cursor.fetchone()
    summary.s31_concluded = concluded or 0
    summary.s31_mean_weeks = float(mean_weeks) if mean_weeks is not None else None
    summary.s31_within_26_share = float(within) if within is not None else None
    summary.open_proceedings = still_open or 0
    summary.pp_decided = decided or 0
    summary.step_down_rate = rate
    summary.open_episodes = open_episodes or 0
    _summarise_hearings(summary, as_of=as_of)
    _summarise_timetable_flags(summary, as_of=as_of, limits=limits)
    return summary


def _summarise_hearings(summary: Summary, *, as_of: dt.date) -> None:
    """Listings, re-listings and extensions: a month's grants against the applications open at its end."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('adjourned', 'vacated')),
                   COUNT(replaces_id)
            FROM cases_hearing
            """
        )
        summary.hearings, summary.hearings_put_off, summary.relistings = cursor.fetchone()
        cursor.execute(
            """
            SELECT COALESCE(SUM(n), 0), COALESCE(MAX(n), 0)
            FROM (SELECT COUNT(*) AS n FROM cases_extension GROUP BY child_proceedings_id) per_child
            """
        )
        summary.extensions, summary.most_extensions_for_a_child = cursor.fetchone()
        cursor.execute(
            """
            WITH months AS (
                SELECT gs::date AS first_day, (gs + interval '1 month' - interval '1 day')::date AS last_day
                FROM generate_series(date_trunc('month', %(as_of)s::date) - interval '12 months',
                                     date_trunc('month', %(as_of)s::date) - interval '1 month',
                                     interval '1 month') AS gs
            ), figures AS (
                SELECT (SELECT COUNT(*) FROM cases_extension e
                        WHERE e.granted_date BETWEEN months.first_day AND months.last_day) AS granted,
                       (SELECT COUNT(*) FROM cases_proceedings p
                        WHERE p.issue_date <= months.last_day
                            AND (p.concluded_date IS NULL OR p.concluded_date > months.last_day)) AS open
                FROM months
            )
            SELECT SUM(granted), AVG(granted::float / NULLIF(open, 0)) FROM figures
            """,
            {"as_of": as_of},
        )
        granted, share = cursor.fetchone()
    summary.extensions_last_year = granted or 0
    summary.extensions_month_share = share


def _summarise_timetable_flags(summary: Summary, *, as_of: dt.date, limits: thresholds.Thresholds) -> None:
    """How many open proceedings carry each timetable flag in the tracker's stored facts, as at ``as_of``."""
    in_court = m.TrackerRow.objects.filter(proceedings_id__isnull=False)
    not_past = ~Q(s31_past_limit_from__lte=as_of)
    flags = [flag for flag in worded_flags(limits) if flag.code in TIMETABLE_FLAGS]
    counts = in_court.aggregate(
        past=Count("pk", filter=Q(s31_past_limit_from__lte=as_of)),
        **{f"{flag.code}_all": Count("pk", filter=flag_raised(flag, as_of)) for flag in flags},
        **{f"{flag.code}_early": Count("pk", filter=flag_raised(flag, as_of) & not_past) for flag in flags},
    )
    summary.past_limit = counts["past"]
    summary.timetable_flags = {flag.label: (counts[f"{flag.code}_all"], counts[f"{flag.code}_early"]) for flag in flags}


def has_case_data() -> bool:
    return m.Family._base_manager.exists()
