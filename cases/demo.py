"""Synthetic demo data for all four LAs, sized by child population and calibrated to the region.

Nothing here is real: names are drawn from short lists of common names, references are made up,
and every date is generated. The same ``seed``, ``scale``, ``years`` and ``as_of`` give the same
data. Rows are written with PostgreSQL ``COPY`` (explicit ids, sequences moved on afterwards), so
national-sized data (``scale=30, years=10``) loads in minutes. The history triggers still fire,
so every seeded row has its insert event like any other.

Calibration (REFERENCE.md): about 390 care applications a year at scale 1 (7 per 10,000 children),
shared by child population; 30% at short notice without pre-proceedings; pre-proceedings episodes
stepped down about half the time; Section 31 durations averaging about 55 weeks with a realistic
spread (some within the time limit, a long tail past a year); extensions on cases past the limit;
adjourned and vacated hearings with coded reasons, each with its delay event; pre-birth cases,
babies, repeat episodes and sibling groups.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from psycopg import sql

from cases import constants as c
from cases import models as m
from cases import services, thresholds

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
        return out


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
    """Superusers (development, CI) may load with triggers off; others load row by row with them on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
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

    def s31_duration_days(self) -> int:
        """About 55 weeks on average for concluded cases: some within the time limit, a long tail past a year."""
        short = self.rnd.random() < 0.08
        weeks = self.rnd.uniform(12, self.limits.s31_limit_weeks) if short else 24 + self.rnd.gammavariate(3, 11.8)
        return round(weeks * 7)

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

    def assessments(self, la, family, start, end, *, episode_id=None, proceedings_id=None) -> None:
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
    def proceedings(self, la, family, kids, issue: dt.date, *, episode_id=None, short_notice=False) -> None:
        if issue > self.as_of or all(kid["date_of_birth"] is None for kid in kids):
            return  # not issued yet (an unborn child joins proceedings once born)
        duration = self.s31_duration_days()
        conclusion = issue + dt.timedelta(days=duration)
        concluded = conclusion <= self.as_of
        court = self.rnd.choice(COURTS_BY_LA[la.dfe_code])
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
        self.hearings(la, family, pid, issue, conclusion, short_notice=short_notice)
        self.assessments(la, family, issue, conclusion, proceedings_id=pid)
        outcome = self.weighted(OUTCOME_WEIGHTS)
        for kid in kids:
            if kid["date_of_birth"] is None:
                continue  # an unborn child joins the proceedings once born
            interim = self.rnd.choice(
                [c.CarePlan.LONG_TERM_FOSTERING, c.CarePlan.FAMILY_OR_FRIENDS, c.CarePlan.REMAIN_WITH_PARENTS]
            )
            part = self.rows.new(
                m.ChildProceedings,
                local_authority_id=la.pk,
                proceedings_id=pid,
                child_id=kid["id"],
                interim_plan=interim,
                interim_plan_approved=True if self.rnd.random() < 0.93 else None,
                final_plan=PLAN_FOR_OUTCOME[outcome] if concluded else "",
                final_plan_approved=(self.rnd.random() < 0.9) if concluded else None,
                final_outcome_id=outcome if concluded else None,
                final_outcome_date=conclusion if concluded else None,
            )
            self.extensions(la, part["id"], issue, conclusion)

    def extensions(self, la, part_id: int, issue: dt.date, conclusion: dt.date) -> None:
        """Cases running past the time limit usually have full-length extensions granted as the end nears."""
        end = self.limits.timetable_end(issue)
        if self.rnd.random() < 0.12:
            return  # some drift past the limit with no extension recorded
        while end < conclusion:
            granted = end - self.days(3, 20)
            if granted > self.as_of or granted <= issue:
                break
            new_end = end + self.limits.extension_max
            self.rows.new(
                m.Extension,
                local_authority_id=la.pk,
                child_proceedings_id=part_id,
                granted_date=granted,
                new_end_date=new_end,
                reason=self.rnd.choice(
                    [
                        "Expert assessment of the mother not yet complete.",
                        "Connected carer assessment of a relative identified late.",
                        "Final hearing could not be listed within the timetable.",
                        "Fact-finding hearing needed on disputed injuries.",
                        "Change of care plan after a positive parenting assessment.",
                    ]
                ),
            )
            end = new_end

    def hearings(self, la, family, pid: int, issue: dt.date, conclusion: dt.date, *, short_notice: bool) -> None:
        days = (conclusion - issue).days
        plan = []
        if short_notice:
            plan.append(("epo", issue + self.days(0, 3)))
        cmh = issue + (self.days(12, 18) if self.rnd.random() < 0.78 else self.days(19, 40))
        plan.append(("cmh", cmh))
        if self.rnd.random() < 0.35:
            plan.append(("further_cmh", cmh + self.days(35, 70)))
        if self.rnd.random() < 0.12:
            plan.append(("fact_finding", issue + dt.timedelta(days=round(days * 0.45))))
        if self.rnd.random() < 0.2:
            plan.append(("interim_care", issue + self.days(20, 60)))
        irh = issue + dt.timedelta(days=max(112, days - self.rnd.randint(35, 70)))
        plan.append(("irh", irh))
        plan.append(("final", conclusion))
        if self.rnd.random() < 0.15:
            plan.append(("placement", conclusion))
        for code, listed in sorted(plan, key=lambda p: p[1]):
            self.hearing(la, family, pid, code, listed, conclusion)

    def hearing(self, la, family, pid: int, code: str, listed: dt.date, conclusion: dt.date) -> None:
        hearing_type = self.hearing_types[code]
        listed = min(listed, conclusion)
        while True:
            if listed > self.as_of:
                self.rows.new(
                    m.Hearing,
                    local_authority_id=la.pk,
                    proceedings_id=pid,
                    hearing_type_id=hearing_type.code,
                    listed_date=listed,
                    status=c.HearingStatus.LISTED,
                    reason_id=None,
                    relisted_date=None,
                    note="",
                )
                return
            roll = self.rnd.random()
            final_day = code == "final" and listed >= conclusion
            if roll < 0.16 and not final_day:
                status = c.HearingStatus.ADJOURNED
            elif roll < 0.24 and not final_day:
                status = c.HearingStatus.VACATED
            else:
                self.rows.new(
                    m.Hearing,
                    local_authority_id=la.pk,
                    proceedings_id=pid,
                    hearing_type_id=hearing_type.code,
                    listed_date=listed,
                    status=c.HearingStatus.HELD,
                    reason_id=None,
                    relisted_date=None,
                    note="",
                )
                return
            reason = self.weighted(HEARING_REASON_WEIGHTS)
            relisted = listed + self.days(14, 49)
            if relisted >= conclusion and code != "final":
                relisted = None
            self.rows.new(
                m.Hearing,
                local_authority_id=la.pk,
                proceedings_id=pid,
                hearing_type_id=hearing_type.code,
                listed_date=listed,
                status=status,
                reason_id=reason,
                relisted_date=relisted,
                note="",
            )
            self.rows.new(
                m.DelayEvent,
                local_authority_id=la.pk,
                family_id=family["id"],
                proceedings_id=pid,
                episode_id=None,
                event_date=listed,
                delayed_item=c.DelayedItem.FINAL_HEARING if code == "final" else c.DelayedItem.HEARING,
                days_lost=(relisted - listed).days if relisted else 14,
                reason_id=reason,
                note="",
            )
            if relisted is None:
                return
            listed = relisted

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
                self.proceedings(la, family, kids, application + self.days(1, 5), episode_id=episode["id"])
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
    return summary


def has_case_data() -> bool:
    return m.Family._base_manager.exists()
