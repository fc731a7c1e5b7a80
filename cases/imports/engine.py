"""Importing a tracker: each row through the case services, all or nothing.

A row is one child in one pre-proceedings episode of one family. Rows are matched to what the LA
already holds by the LA's own references (``Family.la_reference``, ``Child.la_child_id``) and the
episode's legal gateway meeting date, so importing the same file again changes nothing. Every
record is saved through ``cases.services`` (``family_save``, ``child_save``, ``episode_save``,
``pp_meeting_save``), which validate it with the model's own rules and record who changed it in
the change history: no rule is repeated here. Empty cells leave what is stored as it is.

The whole import runs in one transaction; each row in a savepoint, so every bad row is reported,
and when any row fails (or on a dry run) the transaction is rolled back: nothing is half-saved.

django-import-export's resources are not used for the rows: their save path writes instances
itself, and here every write must go through the services (permission, LA, stamps, history
context, validation). The import keeps its idea (a dry run is the real import rolled back, with
per-row results and errors); tablib holds the table for previews and builds the template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, transaction

from cases import constants as c
from cases import models as m
from cases import services
from cases.imports import columns as col
from cases.imports.reading import SourceTable
from cases.imports.values import CellError, parse_cell
from cases.permissions import IMPORT_TRACKERS, ensure

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
PROGRESS_EVERY = 100
RECORD_NAMES = {
    m.Family: "family",
    m.Child: "child",
    m.PreProceedingsEpisode: "pre-proceedings episode",
    m.Proceedings: "care application",
    m.Hearing: "care application's hearings",
}


@dataclass
class ColumnMapping:
    """What each source column holds (a target key, or ``columns.IGNORE``) and what each LA word means."""

    columns: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowResult:
    row: int
    status: str
    family: str
    child: str


@dataclass
class ImportResult:
    """What an import did or, on a dry run, would do: file problems, then per-row errors and results."""

    rows: int = 0
    file_problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    results: list[RowResult] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.errors

    def count(self, status: str) -> int:
        return sum(result.status == status for result in self.results) if self.ok else 0

    def summary(self) -> dict[str, int]:
        """The counts the command prints and the history keeps; nothing is created when anything failed."""
        return {
            "rows": self.rows,
            "created": self.count(CREATED),
            "updated": self.count(UPDATED),
            "unchanged": self.count(UNCHANGED),
            "errors": len(self.file_problems) + len(self.errors),
        }

    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ImportResult:
        return cls(
            rows=data.get("rows", 0),
            file_problems=list(data.get("file_problems", [])),
            notices=list(data.get("notices", [])),
            errors=[RowError(**error) for error in data.get("errors", [])],
            results=[RowResult(**result) for result in data.get("results", [])],
            dry_run=data.get("dry_run", True),
        )


def file_failure(problems: list[str], *, rows: int = 0) -> ImportResult:
    return ImportResult(rows=rows, file_problems=problems)


# --- Mapping --------------------------------------------------------------------------------------


def suggest_mapping(headers: list[str], saved: ColumnMapping | None = None) -> ColumnMapping:
    """Each header's target: the saved mapping's choice, else the known variant it matches."""
    saved = saved or ColumnMapping()
    columns = {}
    for header in headers:
        if header in saved.columns:
            columns[header] = saved.columns[header]
        else:
            columns[header] = col.suggest_target(header)
    return ColumnMapping(columns=columns, codes={key: dict(words) for key, words in saved.codes.items()})


def source_codes(table: SourceTable, mapping: ColumnMapping) -> dict[str, list[tuple[str, str | None]]]:
    """For each mapped code column (by target), its distinct values with the code each means (None: unknown)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for position, header in enumerate(table.headers):
        target = col.BY_KEY.get(mapping.columns.get(header, ""))
        if target is None or target.kind not in (col.CODE, col.BOOL):
            continue
        seen: dict[str, str | None] = {}
        for _number, cells in table.rows:
            text = cells[position].strip() if position < len(cells) else ""
            if text and text not in seen:
                seen[text] = _meaning(target, text, mapping.codes.get(target.key))
        found[target.key] = sorted(seen.items())
    return found


def _meaning(target: col.Target, text: str, saved: dict[str, str] | None) -> str | None:
    try:
        value = parse_cell(target, text, saved=saved)
    except CellError:
        return None
    if target.kind == col.BOOL:
        return {True: "yes", False: "no", None: "not known"}[value]
    return value


def _header_name(headers: list[str], position: int) -> str:
    return headers[position] or f"column {position + 1}"


def mapping_problems(table: SourceTable, mapping: ColumnMapping) -> tuple[list[str], list[str]]:
    """File problems of the mapping (required columns missing, a target twice, unknown columns with
    values) and notices (columns left out on purpose)."""
    problems, notices = [], []
    by_target: dict[str, list[str]] = {}
    seen_headers: set[str] = set()
    for position, header in enumerate(table.headers):
        name = _header_name(table.headers, position)
        if header and header in seen_headers:
            problems.append(f"Two columns are headed '{header}': give each column its own header.")
        seen_headers.add(header)
        target = mapping.columns.get(header, "")
        has_values = any(position < len(cells) and cells[position].strip() for _n, cells in table.rows)
        if target == col.IGNORE:
            if has_values:
                notices.append(f"Column '{name}' was not imported, as the mapping says.")
        elif target in col.BY_KEY:
            by_target.setdefault(target, []).append(name)
        elif has_values:
            problems.append(
                f"Column '{name}' is not a column the import knows: say what it holds on the mapping page "
                "(or choose 'Do not import')."
            )
    for target, names in by_target.items():
        if len(names) > 1:
            problems.append(
                f"Columns {', '.join(repr(n) for n in names)} are all mapped to {target}: map only one of them."
            )
    for key in col.REQUIRED:
        if key not in by_target:
            target = col.BY_KEY[key]
            problems.append(f"The file has no column for {key} ({target.label}), which every row needs.")
    if not {"PersonBirthDate", "ExpectedPersonBirthDate"} & set(by_target):
        problems.append("The file has no column for the date of birth (PersonBirthDate) or expected due date.")
    return problems, notices


# --- Import ---------------------------------------------------------------------------------------


class RowsFailedError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ParsedRow:
    number: int
    values: dict[str, object]
    columns: dict[str, str]  # target key -> the source header it came from


@dataclass(eq=False)
class RowPlan:
    """What one row writes (its family, child and episode) and how it went."""

    row: ParsedRow
    statuses: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)
    family: m.Family | None = None
    child: m.Child | None = None
    episode: m.PreProceedingsEpisode | None = None
    proceedings: m.Proceedings | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, *errors: RowError) -> None:
        self.errors.extend(errors)

    def result(self) -> RowResult:
        ref = str(self.row.values["la_reference"])
        if self.errors:
            return RowResult(self.row.number, FAILED, ref, "")
        status = CREATED if CREATED in self.statuses else UPDATED if UPDATED in self.statuses else UNCHANGED
        return RowResult(self.row.number, status, ref, self.row.values["LAchildID"])


@dataclass(eq=False)
class Write:
    """One record an import writes, with every row about it and the rows that create or change it."""

    instance: m.CaseRecord
    new: bool
    column: str = ""
    plans: list[RowPlan] = field(default_factory=list)
    writers: list[RowPlan] = field(default_factory=list)
    original: dict[str, object] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)

    def failing(self) -> list[RowPlan]:
        """The rows a broken rule fails: every row about a new record (none can go on without it), the
        rows that changed a stored one (the others go on with it as stored)."""
        return [plan for plan in (self.plans if self.new else self.writers) if plan.ok]

    def fail(self, errors: list[list[RowError]]) -> None:
        for plan, row_errors in zip(self.failing(), errors, strict=True):
            plan.fail(*row_errors)
        for name, value in self.original.items():
            setattr(self.instance, name, value)


class Batch:
    """The records of one kind an import writes, each once however many rows are about it."""

    def __init__(self) -> None:
        self.writes: dict[int, Write] = {}

    def write(self, instance: m.CaseRecord, plan: RowPlan, values: dict[str, object], *, column: str = "") -> None:
        """The row sets ``values`` on the record: the first row about a new record creates it, a row
        that changes a value updates it."""
        write = self.writes.get(id(instance))
        if write is None:
            write = self.writes[id(instance)] = Write(instance, new=instance.pk is None, column=column)
            if write.new:
                plan.statuses.add(CREATED)
        write.plans.append(plan)
        changed = {name for name, value in values.items() if _current(instance, name) != value}
        for name in changed:
            write.original.setdefault(name, _current(instance, name))
            setattr(instance, name, values[name])
        if changed or (write.new and not write.writers):
            write.writers.append(plan)
            write.fields |= changed
            plan.statuses.add(UPDATED)

    def to_save(self) -> list[Write]:
        return [write for write in self.writes.values() if write.new or write.fields]


class TrackerImport:
    """One import of a table for a user's LA (see the module docstring)."""

    def __init__(self, *, user, table: SourceTable, mapping: ColumnMapping, dry_run: bool, progress=None):
        self.user = user
        self.local_authority = user.local_authority
        self.table = table
        self.mapping = mapping
        self.dry_run = dry_run
        self.progress: Callable[[int, int], None] | None = progress
        self.teams = {team.name.lower(): team for team in m.Team.objects.filter(local_authority=self.local_authority)}
        self.references = {model: _reference_words(model) for model in (m.Court, m.OrderOutcome)}
        self.hearing_types = {kind.code: kind for kind in m.HearingType.objects.all()}
        self.columns = [
            (position, _header_name(table.headers, position), col.BY_KEY[mapping.columns[header]])
            for position, header in enumerate(table.headers)
            if mapping.columns.get(header, "") in col.BY_KEY
        ]

    # Reading the rows ----------------------------------------------------------------------------

    def parse(self, number: int, cells: list[str]) -> ParsedRow:
        values, where, errors = {}, {}, []
        for position, header, target in self.columns:
            text = cells[position] if position < len(cells) else ""
            where[target.key] = header
            if not text.strip():
                continue
            try:
                values[target.key] = self._value(target, text)
            except CellError as error:
                errors.append(RowError(number, header, _sentence(str(error))))
        if errors:
            raise RowsFailedError(errors)
        return ParsedRow(number, values, where)

    def _value(self, target: col.Target, text: str):
        if target.kind == col.LA:
            code = text.strip()
            if code not in (self.local_authority.dfe_code, self.local_authority.name, self.local_authority.short_name):
                other = m.LocalAuthority.objects.filter(dfe_code=code).first()
                named = f"{other.name}'s code" if other else "not this LA's code"
                raise CellError(
                    f"'{code}' is {named}: this import is for {self.local_authority.name} "
                    f"({self.local_authority.dfe_code}), so every row must be one of its cases"
                )
            return self.local_authority.dfe_code
        if target.kind == col.REF:
            found = self.references[target.ref].get(col.normalise(text))
            if found is None:
                known = ", ".join(f"{ref.code} ({ref.label})" for ref in _unique(self.references[target.ref].values()))
                raise CellError(f"'{text.strip()}' is not a known {target.label}: use one of {known}")
            return found
        if target.kind == col.TEAM:
            team = self.teams.get(text.strip().lower())
            if team is None:
                raise CellError(f"'{text.strip()}' is not a team of {self.local_authority.name}")
            return team
        return parse_cell(target, text, saved=self.mapping.codes.get(target.key))

    # Preloading what the LA holds ----------------------------------------------------------------

    def preload(self, rows: list[ParsedRow]) -> None:
        refs = {row.values.get("la_reference") for row in rows} - {None}
        child_ids = {row.values.get("LAchildID") for row in rows} - {None}
        la = self.local_authority
        self.families = {f.la_reference: f for f in m.Family.objects.filter(local_authority=la, la_reference__in=refs)}
        self.children = {
            child.la_child_id: child
            for child in m.Child.objects.filter(local_authority=la, la_child_id__in=child_ids).select_related("family")
        }
        self.episodes: dict[tuple[int, dt.date], m.PreProceedingsEpisode] = {}
        self.members: dict[int, set[int]] = {}
        self.meetings: dict[int, list[m.PreProceedingsMeeting]] = {}
        episodes = m.PreProceedingsEpisode.objects.filter(family__in=list(self.families.values())).prefetch_related(
            "children", "meetings"
        )
        for episode in episodes:
            self._keep_episode(episode)
        numbers = {row.values.get("court_case_number") for row in rows} - {None}
        self.proceedings = {
            proceedings.court_case_number: proceedings
            for proceedings in m.Proceedings.objects.filter(local_authority=la, court_case_number__in=numbers)
            .select_related("family")
            .prefetch_related("child_parts", "hearings")
        }
        self.parts = {
            (part.proceedings_id, part.child_id): part
            for proceedings in self.proceedings.values()
            for part in proceedings.child_parts.all()
        }
        self.hearings = {id(proceedings): list(proceedings.hearings.all()) for proceedings in self.proceedings.values()}

    def _keep_episode(self, episode: m.PreProceedingsEpisode) -> None:
        self.episodes[(episode.family_id, episode.gateway_meeting_date)] = episode
        self.members[id(episode)] = {child.pk for child in episode.children.all()}
        self.meetings[id(episode)] = list(episode.meetings.all())

    # Saving one row ------------------------------------------------------------------------------

    def _fields(self, row: ParsedRow, model: type) -> dict[str, object]:
        return {
            col.BY_KEY[key].field: value
            for key, value in row.values.items()
            if col.BY_KEY[key].model is model and col.BY_KEY[key].kind not in (col.DATES, col.HEARING)
        }

    @staticmethod
    def _assign(instance, values: dict[str, object]) -> bool:
        """Set the values on the instance; True when any differs from what it held."""
        changed = False
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        return changed

    @staticmethod
    def _hearing_dates(row: ParsedRow) -> dict[str, object]:
        return {key: value for key, value in row.values.items() if col.BY_KEY[key].kind == col.HEARING}

    def child_values(self, row: ParsedRow) -> dict[str, object]:
        values = self._fields(row, m.Child)
        if row.values.get("unborn"):
            dob = values.pop("date_of_birth", None)
            due = values.get("expected_due_date")
            if dob and due and dob != due:
                raise RowsFailedError(
                    [
                        RowError(
                            row.number,
                            row.columns["PersonBirthDate"],
                            "The row says the child is unborn but gives a date of birth and a different expected "
                            "due date: keep one of them.",
                        )
                    ]
                )
            values["expected_due_date"] = due or dob
            values["date_of_birth"] = None
        return values

    def episode_values(self, row: ParsedRow) -> dict[str, object]:
        values = self._fields(row, m.PreProceedingsEpisode)
        if "gateway_outcome" not in row.columns and values.get("start_date"):
            values["gateway_outcome"] = c.GatewayOutcome.START_PRE_PROCEEDINGS
        return values

    def family_values(self, row: ParsedRow) -> dict[str, object]:
        values = self._fields(row, m.Family)
        if not values.get("name") and row.values.get("last_name"):
            values["name"] = row.values["last_name"]
        return values

    # Saving the rows, one kind of record at a time ----------------------------------------------

    def save_all(self, rows: list[ParsedRow]) -> list[RowPlan]:
        """Every row's family, then child, episode and meetings: each kind validated by the services
        for all rows at once and saved in a few statements. A row stops at its first bad record."""
        plans = [RowPlan(row) for row in rows]
        steps = (
            self._save_families,
            self._save_children,
            self._save_episodes,
            self._save_meetings,
            self._save_proceedings,
            self._save_child_parts,
            self._save_hearings,
        )
        for done, step in enumerate(steps, start=1):
            step([plan for plan in plans if plan.ok])
            if self.progress:
                self.progress(len(self.table.rows) * done // len(steps), len(self.table.rows))
        return plans

    def _save_families(self, plans: list[RowPlan]) -> None:
        batch = Batch()
        for plan in plans:
            ref = plan.row.values["la_reference"]
            family = self.families.get(ref)
            if family is None:
                family = self.families[ref] = m.Family(local_authority=self.local_authority, la_reference=ref)
            plan.family = family
            batch.write(family, plan, self.family_values(plan.row))
        self._save(m.Family, batch, family_of=lambda family: family)

    def _save_children(self, plans: list[RowPlan]) -> None:
        batch = Batch()
        for plan in plans:
            row, family = plan.row, plan.family
            child_id = row.values["LAchildID"]
            child = self.children.get(child_id)
            if child is not None and child.family_id != family.pk:
                plan.fail(
                    RowError(
                        row.number,
                        row.columns["LAchildID"],
                        f"Child ID {child_id} is already a child of family {child.family.la_reference}, not of "
                        f"{family.la_reference}: correct the family reference or the child ID.",
                    )
                )
                continue
            try:
                values = self.child_values(row)
            except RowsFailedError as failure:
                plan.fail(*failure.errors)
                continue
            if child is None:
                child = self.children[child_id] = m.Child(
                    local_authority=self.local_authority, family=family, la_child_id=child_id
                )
            plan.child = child
            batch.write(child, plan, values)
        self._save(m.Child, batch, family_of=lambda child: child.family)

    def _save_episodes(self, plans: list[RowPlan]) -> None:
        batch, links = Batch(), []
        for plan in plans:
            family, gateway = plan.family, plan.row.values["gateway_meeting_date"]
            episode = self.episodes.get((family.pk, gateway))
            if episode is None:
                episode = m.PreProceedingsEpisode(
                    local_authority=self.local_authority, family=family, gateway_meeting_date=gateway
                )
                self.episodes[(family.pk, gateway)] = episode
            plan.episode = episode
            batch.write(episode, plan, self.episode_values(plan.row))
            members = self.members.setdefault(id(episode), set())
            if plan.child.pk not in members:
                members.add(plan.child.pk)
                plan.statuses.add(UPDATED)
                links.append(plan)
        self._save(m.PreProceedingsEpisode, batch, family_of=lambda episode: episode.family)
        services.episode_children_add(user=self.user, links=[(plan.episode, plan.child) for plan in links if plan.ok])

    def _save_meetings(self, plans: list[RowPlan]) -> None:
        batch, la = Batch(), self.local_authority
        for plan in plans:
            row, episode = plan.row, plan.episode
            held = self.meetings.setdefault(id(episode), [])
            initial_date = row.values.get("InitialPPMeetingDate")
            if initial_date:
                initial = next((mt for mt in held if mt.kind == c.MeetingKind.INITIAL), None)
                if initial is None:
                    initial = m.PreProceedingsMeeting(local_authority=la, episode=episode, kind=c.MeetingKind.INITIAL)
                    held.append(initial)
                batch.write(initial, plan, {"meeting_date": initial_date}, column="InitialPPMeetingDate")
            reviews = {mt.meeting_date for mt in held if mt.kind == c.MeetingKind.REVIEW}
            for meeting_date in row.values.get("review_meeting_dates", []):
                if meeting_date in reviews:
                    continue
                meeting = m.PreProceedingsMeeting(
                    local_authority=la, episode=episode, kind=c.MeetingKind.REVIEW, meeting_date=meeting_date
                )
                held.append(meeting)
                reviews.add(meeting_date)
                batch.write(meeting, plan, {}, column="review_meeting_dates")
        self._save(m.PreProceedingsMeeting, batch, family_of=lambda meeting: meeting.episode.family)

    def _save_proceedings(self, plans: list[RowPlan]) -> None:
        batch = Batch()
        for plan in plans:
            row = plan.row
            number = row.values.get("court_case_number")
            if number is None:
                continue
            proceedings = self.proceedings.get(number)
            if proceedings is not None and proceedings.family_id != plan.family.pk:
                plan.fail(
                    RowError(
                        row.number,
                        row.columns["court_case_number"],
                        f"Court case {number} is an application of family {proceedings.family.la_reference}, not of "
                        f"{plan.family.la_reference}: correct the family reference or the court case number.",
                    )
                )
                continue
            if proceedings is None:
                episode = plan.episode if plan.episode.outcome == c.PPOutcome.ISSUE else None
                proceedings = self.proceedings[number] = m.Proceedings(
                    local_authority=self.local_authority, family=plan.family, episode=episode, court_case_number=number
                )
                self.hearings[id(proceedings)] = []
            plan.proceedings = proceedings
            batch.write(proceedings, plan, self._fields(row, m.Proceedings))
        self._save(m.Proceedings, batch, family_of=lambda proceedings: proceedings.family)

    def _save_child_parts(self, plans: list[RowPlan]) -> None:
        batch = Batch()
        for plan in plans:
            if plan.proceedings is None:
                continue
            key = (plan.proceedings.pk, plan.child.pk)
            part = self.parts.get(key)
            if part is None:
                part = self.parts[key] = m.ChildProceedings(
                    local_authority=self.local_authority, proceedings=plan.proceedings, child=plan.child
                )
            batch.write(part, plan, self._fields(plan.row, m.ChildProceedings))
        self._save(m.ChildProceedings, batch, family_of=lambda part: part.proceedings.family)

    def _save_hearings(self, plans: list[RowPlan]) -> None:
        """A listing for each hearing date in the row, where the application has none of that type.

        A different date for a type already listed is refused: a re-listing is recorded with what
        came of the first listing (adjourned or vacated) on the hearing's page, never by overwriting."""
        batch = Batch()
        for plan in plans:
            row, proceedings = plan.row, plan.proceedings
            dated = [(key, value) for key, value in row.values.items() if col.BY_KEY[key].kind == col.HEARING]
            if proceedings is None:
                if dated:
                    plan.fail(
                        RowError(
                            row.number,
                            row.columns[dated[0][0]],
                            "A hearing date needs the application's court case number in the same row.",
                        )
                    )
                continue
            listed = self.hearings[id(proceedings)]
            for key, listed_date in dated:
                target = col.BY_KEY[key]
                same_type = [h for h in listed if h.hearing_type_id == target.hearing_type]
                if any(h.listed_date == listed_date for h in same_type):
                    continue
                if same_type:
                    dates = ", ".join(f"{h.listed_date:%-d %B %Y}" for h in same_type)
                    plan.fail(
                        RowError(
                            row.number,
                            row.columns[key],
                            f"Court case {proceedings.court_case_number} already has its "
                            f"{target.label.removesuffix(' date')} listed ({dates}): record a re-listing with what "
                            "came of that hearing on its page.",
                        )
                    )
                    break
                hearing = m.Hearing(
                    local_authority=self.local_authority,
                    proceedings=proceedings,
                    hearing_type=self.hearing_types[target.hearing_type],
                    listed_date=listed_date,
                )
                listed.append(hearing)
                batch.write(hearing, plan, {}, column=key)
        self._save(m.Hearing, batch, family_of=lambda hearing: hearing.proceedings.family)

    def _save(self, model: type, batch: Batch, *, family_of: Callable) -> None:
        """Validate the batch's new and changed records through the services, report each broken rule on
        the rows that wrote the record (by the file's headers), and save the rest."""
        writes = batch.to_save()
        instances = [write.instance for write in writes]
        errors = services.records_validate_bulk(user=self.user, instances=instances, family_of=family_of)
        for position, error in errors.items():
            write = writes[position]
            write.fail([self._errors(plan.row, model, error, column=write.column) for plan in write.failing()])
        saved = [write for position, write in enumerate(writes) if position not in errors]
        services.records_save_bulk(
            user=self.user,
            instances=[write.instance for write in saved],
            fields=set().union(*(write.fields for write in saved)),
        )

    def _errors(self, row: ParsedRow, model: type, error: ValidationError, *, column: str) -> list[RowError]:
        found = []
        details = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, messages in details.items():
            header = self._header_for(row, model, name, column=column)
            found.extend(RowError(row.number, header, message) for message in messages)
        return found

    @staticmethod
    def _header_for(row: ParsedRow, model: type, name: str, *, column: str) -> str:
        if column and column in row.columns:
            return row.columns[column]
        for key, header in row.columns.items():
            target = col.BY_KEY[key]
            if target.model is model and target.field == name:
                return header
        if name == NON_FIELD_ERRORS:
            return ""
        if model is m.Family and name == "name":
            return row.columns.get("last_name", "")
        if model is m.Child and name == "expected_due_date" and "unborn" in row.columns:
            return row.columns.get("PersonBirthDate", row.columns["unborn"])
        try:
            label = model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:  # a rule named after something other than a field
            label = name
        return f"{label} (not in the file)"

    # The whole import ----------------------------------------------------------------------------

    def run(self) -> ImportResult:
        ensure(self.user, IMPORT_TRACKERS)
        result = ImportResult(rows=len(self.table.rows), notices=list(self.table.notices), dry_run=self.dry_run)
        problems, notices = mapping_problems(self.table, self.mapping)
        result.notices.extend(notices)
        if problems:
            result.file_problems = problems
            return result
        parsed = self._parse_all(result)
        rows = [row for row in parsed if row is not None]
        with transaction.atomic():
            self.preload(rows)
            try:
                with transaction.atomic():
                    plans = self.save_all(rows)
            except DatabaseError as error:
                result.file_problems.append(f"The import could not be saved, so nothing was: {error}")
                plans = []
            for plan in plans:
                result.results.append(plan.result())
                result.errors.extend(plan.errors)
            if self.dry_run or not result.ok:
                transaction.set_rollback(True)
        result.errors.sort(key=lambda error: error.row)
        result.results.sort(key=lambda row_result: row_result.row)
        return result

    def _parse_all(self, result: ImportResult) -> list[ParsedRow | None]:
        """Every row read, with the errors of its cells, duplicates and rows that disagree with an
        earlier row about the same family or episode; None in place of a bad row."""
        parsed: list[ParsedRow | None] = []
        first_seen: dict[tuple, tuple[int, dict]] = {}
        for number, cells in self.table.rows:
            try:
                row = self.parse(number, cells)
                for key in ("la_reference", "LAchildID", "last_name", "gateway_meeting_date"):
                    if key not in row.values:
                        raise RowsFailedError(
                            [RowError(number, row.columns[key], f"Enter the {col.BY_KEY[key].label}: it is empty.")]
                        )
                self._check_repeats(row, first_seen)
            except RowsFailedError as failure:
                result.errors.extend(failure.errors)
                result.results.append(RowResult(number, FAILED, "", ""))
                parsed.append(None)
                continue
            parsed.append(row)
        return parsed

    def _check_repeats(self, row: ParsedRow, first_seen: dict) -> None:
        ref, child_id, gateway = row.values["la_reference"], row.values["LAchildID"], row.values["gateway_meeting_date"]
        key = ("row", child_id, gateway)
        if key in first_seen:
            raise RowsFailedError(
                [
                    RowError(
                        row.number,
                        row.columns["LAchildID"],
                        f"Child ID {child_id} in the episode with the legal gateway meeting of {gateway:%-d %B %Y} "
                        f"is already in row {first_seen[key][0]}: remove the duplicate row.",
                    )
                ]
            )
        first_seen[key] = (row.number, {})
        groups = (
            (("family", ref), m.Family, self.family_values(row)),
            (("child", child_id), m.Child, self._fields(row, m.Child)),
            (("episode", ref, gateway), m.PreProceedingsEpisode, self.episode_values(row)),
            (("proceedings", row.values.get("court_case_number")), m.Proceedings, self._fields(row, m.Proceedings)),
            (("hearings", row.values.get("court_case_number")), m.Hearing, self._hearing_dates(row)),
        )
        errors = []
        for group, model, values in groups:
            if None in group:
                continue
            if group not in first_seen:
                first_seen[group] = (row.number, values)
                continue
            earlier_row, earlier = first_seen[group]
            for name, value in values.items():
                if name in earlier and earlier[name] != value:
                    header = row.columns.get(name) or self._header_for(row, model, name, column="")
                    errors.append(
                        RowError(
                            row.number,
                            header,
                            f"This row says {_shown(value)} but row {earlier_row}, about the same "
                            f"{RECORD_NAMES[model]}, says {_shown(earlier[name])}: make them agree.",
                        )
                    )
        if errors:
            raise RowsFailedError(errors)


def _current(instance, name: str):
    """What the record holds in a field (None for a required link not set yet)."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def _reference_words(model: type) -> dict[str, object]:
    """Each code of a reference list by its code, its label and its label without a bracketed note."""
    words = {}
    for ref in model.objects.all():
        for word in (ref.code, ref.label, ref.label.split(" (")[0]):
            words.setdefault(col.normalise(word), ref)
    return words


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _sentence(text: str) -> str:
    """A cell's message as a sentence: capital first letter, full stop."""
    return f"{text[:1].upper()}{text[1:]}."


def _shown(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, m.Team):
        return f"'{value.name}'"
    return f"'{value}'"


def tracker_import(*, user, table: SourceTable, mapping: ColumnMapping, dry_run: bool, progress=None) -> ImportResult:
    """Check (``dry_run``) or apply an import of ``table`` for the user's LA; see the module docstring."""
    return TrackerImport(user=user, table=table, mapping=mapping, dry_run=dry_run, progress=progress).run()
