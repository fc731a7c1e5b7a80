"""Tracker imports: upload a CSV or XLSX tracker, check it (a dry run) or apply it, and read the history.

The same runs as the Imports page and ``manage.py import_tracker`` (``cases.imports.runs``): the file
is read, its columns mapped by the LA's saved mapping (``mapping``, by name) and the known header
variants, and every row goes through the case services, all or nothing. No rule of the import is
written here. A file with more rows than ``PLO_IMPORT_ASYNC_ROWS`` is checked or applied by a Celery
job: the answer is 202 with the run, and ``GET /imports/{id}/`` shows its progress. The job is kept
in the job outbox with the run (``plo_tracker.lib.queue``): if Redis is down it waits
(``waiting_for_queue``) and starts by itself when the queue is back, so the client need not ask again.

A run that finds problems is still a run (201, ``status`` ``failed``, nothing saved): the problems
are in ``file_problems`` (the file and its columns, such as a column the mapping does not know) and
``errors`` (each by the file's row number and column header), as the page and the command report
them. Who may: ``IMPORT_TRACKERS`` (LA administrators and read-and-write service accounts), for
reads and writes alike; another LA's run is a 404.

Runs are not in the read audit, as on the page: a run's report names the LA's own references from
the uploaded file (family reference, child ID), not records read from the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from cases import models as m
from cases.api.base import RecordViewSet
from cases.api.errors import Conflict
from cases.api.pagination import StrictPageSize
from cases.imports import runs
from cases.imports import template as tpl
from cases.imports.engine import CREATED, FAILED, UNCHANGED, UPDATED
from cases.permissions import IMPORT_TRACKERS
from plo_tracker.lib import queue

S = m.ImportStatus
RUNNING = (S.CHECKING, S.APPLYING)
ROW_STATUSES = [CREATED, UPDATED, UNCHANGED, FAILED]  # what a row did (``engine.RowResult``)

# Why a run cannot be applied, by its status (``runs.run_start`` decides that it cannot).
REFUSALS = {
    S.APPLIED: "This import has already been applied. Importing the same file again changes nothing.",
    S.FAILED: (
        "This import has problems (see file_problems and errors), so it cannot be applied: correct the file "
        "and upload it again. Nothing was saved."
    ),
    S.CHECKING: "This import is still being checked: apply it once its status is checked.",
    S.APPLYING: "This import is already being applied.",
    S.UPLOADED: "This import has not been checked: map its columns on the Imports page, or upload it again here.",
}


def dry_run_of(run: m.ImportRun) -> bool:
    """Whether the run's last step was a check (nothing saved) rather than an apply."""
    if run.status in (S.APPLYING, S.APPLIED):
        return False
    if run.status == S.FAILED:
        return bool(run.report.get("dry_run", True))
    return True


# -- serializers ----------------------------------------------------------------------------------


class UploadSerializer(serializers.Serializer):
    # Empty files are the import's to refuse ("The file is empty"), recorded in the history as on the page.
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=(
            "The tracker: CSV (UTF-8 or Windows-1252; comma, semicolon or tab separated) or Excel .xlsx, one row "
            "per child in a pre-proceedings episode, headed as the template (`/imports/template/`) or with known "
            "variants."
        ),
    )
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The name of a column mapping the LA saved on the Imports page, e.g. `Mosaic PLO tracker`.",
    )
    dry_run = serializers.BooleanField(
        default=True,
        help_text="Check every row and save nothing (the default); `false` applies the file, all or nothing.",
    )  # left out of the form: the default (DRF gives a form's missing box its default, not false)

    def validate_mapping(self, name: str) -> str:
        user = self.context["request"].user
        if name and runs.saved_mapping(local_authority=user.local_authority, name=name) is None:
            raise serializers.ValidationError(
                f"There is no saved mapping called '{name}': save one on the Imports page, or leave mapping out."
            )
        return name


class CountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows in the file (the header not counted).")
    created = serializers.IntegerField(help_text="Rows that created (or, in a check, would create) records.")
    updated = serializers.IntegerField(help_text="Rows that changed what the LA holds.")
    unchanged = serializers.IntegerField(help_text="Rows that match what the LA holds already.")
    errors = serializers.IntegerField(help_text="File problems and row errors (none saved anything).")


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Rows checked or applied so far.")
    total = serializers.IntegerField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The file's row number (the header is row 1).")
    column = serializers.CharField(help_text="The column's header in the file ('' for the row as a whole).")
    message = serializers.CharField()


class RowResultSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The file's row number (the header is row 1).")
    status = serializers.ChoiceField(choices=ROW_STATUSES)
    family = serializers.CharField(help_text="The family's LA reference, from the file.")
    child = serializers.CharField(help_text="The child's LA child ID, from the file.")


class ImportRunListSerializer(serializers.Serializer):
    """A run as the history lists it: who, when, which file, what came of it."""

    id = serializers.IntegerField()
    file_name = serializers.CharField()
    checksum = serializers.CharField(source="sha256", help_text="The SHA-256 of the uploaded file, in hex.")
    size = serializers.IntegerField(help_text="The file's size in bytes.")
    mapping = serializers.CharField(source="mapping_name", help_text="The saved mapping used ('' for none).")
    status = serializers.ChoiceField(choices=S.choices)
    dry_run = serializers.SerializerMethodField(
        help_text="True when the run was checked only (nothing saved); false once applied or being applied."
    )
    counts = CountsSerializer(source="*")
    created_by = serializers.CharField(source="user.username", allow_null=True, help_text="Who uploaded it.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True, help_text="When its check or apply ended.")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_dry_run(self, run: m.ImportRun) -> bool:
        return dry_run_of(run)


class ImportRunSerializer(ImportRunListSerializer):
    """A run with its progress and its report: file problems, notices, row errors and each row's result."""

    progress = serializers.SerializerMethodField(help_text="Rows done of the rows, while a job checks or applies it.")
    file_problems = serializers.ListField(
        child=serializers.CharField(), source="report.file_problems", default=list, help_text="Problems of the file."
    )
    notices = serializers.ListField(
        child=serializers.CharField(), source="report.notices", default=list, help_text="What was left out on purpose."
    )
    errors = RowErrorSerializer(many=True, source="report.errors", default=list, help_text="Each bad row's problems.")
    results = RowResultSerializer(
        many=True, source="report.results", default=list, help_text="What each row did or, in a check, would do."
    )

    waiting_for_queue = serializers.SerializerMethodField(
        help_text=(
            "True while the run's job waits for the job queue to come back (Redis down): it starts by itself "
            "then, with nothing to send again."
        )
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_waiting_for_queue(self, run: m.ImportRun) -> bool:
        if not runs.run_waits_for_queue(run):
            return False
        # The answer to the request that queued the job is made before its transaction commits, and the
        # job is only sent then: so it waits for the queue only if the broker does not answer now.
        return not self.context.get("queued_now") or not queue.broker_available()

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, run: m.ImportRun) -> dict[str, int]:
        done, total = runs.run_progress(run) if run.status in RUNNING else (run.rows, run.rows)
        return {"done": done, "total": total}


# -- the endpoint ---------------------------------------------------------------------------------


class NewestFirstPagination(StrictPageSize, CursorPagination):
    """The history, newest first (runs are never changed after they finish: no changes feed)."""

    ordering = ("-created_at", "-id")


class FileContentNegotiation(BaseContentNegotiation):
    """The template is a file whatever the client accepts; an error is JSON as everywhere."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


TEMPLATE_TYPE = OpenApiParameter(
    "file_type",
    {"type": "string", "enum": [tpl.XLSX, tpl.CSV], "default": tpl.XLSX},
    OpenApiParameter.QUERY,
    description="`xlsx` (the tracker sheet and a guide to each column) or `csv` (the header row).",
)


# A template type it does not offer is refused naming the parameter (a 400, not a filter's).
@extend_validation_errors(["invalid"], field_name="file_type", actions=["template"], methods=["get"])
class ImportRunViewSet(RecordViewSet):
    """The LA's tracker imports, newest first. POST (multipart) uploads a tracker and checks it
    (`dry_run`, the default) or applies it; `POST /imports/{id}/apply/` applies a checked run.
    """

    model = m.ImportRun
    read_capability = IMPORT_TRACKERS
    write_capability = IMPORT_TRACKERS
    serializer_class = ImportRunSerializer
    pagination_class = NewestFirstPagination
    parser_classes = [MultiPartParser]
    filter_backends = ()
    select_related = ("user",)
    etags = False  # a run is not corrected through the API: no If-Match, so no ETag

    @property
    def error_statuses(self) -> tuple[str, ...]:
        """The refusals of the API's own each action can answer (documented by ``schema.AutoSchema``)."""
        return ("409",) if self.action == "apply" else ()

    def base_queryset(self) -> models.QuerySet:
        # The page's own access rule (``views.imports._run``): the caller's LA's runs only.
        return m.ImportRun.objects.filter(local_authority_id=self.request.user.local_authority_id)

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if self.action == "apply":
            # Locked from the status check to the apply: two requests cannot both apply one run.
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_serializer_class(self):
        return ImportRunListSerializer if self.action == "list" else ImportRunSerializer

    def list(self, request, *args, **kwargs):
        page = list(self.paginate_queryset(self.get_queryset().order_by("-created_at", "-id")))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def _answer(self, run: m.ImportRun, done_status: int) -> Response:
        queued = run.status in RUNNING
        location = reverse("api:imports-detail", kwargs={"pk": run.pk})
        context = {**self.get_serializer_context(), "queued_now": queued}
        return Response(
            ImportRunSerializer(run, context=context).data,
            status=status.HTTP_202_ACCEPTED if queued else done_status,
            headers={"Location": location},
        )

    @extend_schema(
        summary="Upload a tracker and check it (dry run) or apply it",
        request=UploadSerializer,  # as multipart/form-data, the one parser
        responses={
            201: OpenApiResponse(ImportRunSerializer, "Checked or applied in the request (see `status`)."),
            202: OpenApiResponse(ImportRunSerializer, "Queued: a job checks or applies it; `Location` shows progress."),
        },
    )
    def create(self, request, *args, **kwargs):
        form = UploadSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        upload, dry_run = form.validated_data["file"], form.validated_data["dry_run"]
        # One byte over the cap is enough to refuse it as too large (as the page reads it).
        data = upload.read(settings.PLO_IMPORT_MAX_BYTES + 1)
        run = runs.run_upload(
            user=request.user, name=upload.name, data=data, mapping_name=form.validated_data.get("mapping", "")
        )
        if run.status != S.FAILED:
            run = runs.run_start(user=request.user, run=run, apply=not dry_run, unchecked=True)
        return self._answer(run, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Apply a checked run: all or nothing",
        request=None,
        responses={
            200: OpenApiResponse(ImportRunSerializer, "Applied in the request (see `status`)."),
            202: OpenApiResponse(ImportRunSerializer, "Queued: a job applies it; `Location` shows progress."),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        run = self.get_object()
        try:
            run = runs.run_start(user=request.user, run=run, apply=True)
        except ValidationError as refusal:
            raise Conflict(REFUSALS.get(run.status, refusal.messages[0])) from None
        return self._answer(run, status.HTTP_200_OK)

    @extend_schema(
        summary="The import template (the data dictionary's column names)",
        parameters=[TEMPLATE_TYPE],
        responses={
            (200, tpl.CONTENT_TYPES[tpl.XLSX]): OpenApiResponse(OpenApiTypes.BINARY, "The workbook."),
            (200, tpl.CONTENT_TYPES[tpl.CSV]): OpenApiResponse(OpenApiTypes.STR, "The header row."),
        },
    )
    @action(detail=False, methods=["get"], content_negotiation_class=FileContentNegotiation, pagination_class=None)
    def template(self, request):
        file_type = request.query_params.get("file_type", tpl.XLSX)
        if file_type not in tpl.CONTENT_TYPES:
            raise exceptions.ValidationError({"file_type": [f"Choose {tpl.XLSX} or {tpl.CSV}."]})
        content, content_type, file_name = tpl.template_file(file_type)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response


# Runs are made by uploading and changed only by their check or apply: no PATCH.
ImportRunViewSet.http_method_names = ["get", "post", "head", "options"]

ROUTES = [("imports", ImportRunViewSet)]
