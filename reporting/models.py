"""Stored metrics, their runs, board packs, and the regional data exercise's snapshots.

Metrics are computed overnight (``reporting.services.metrics``) and stored per period, scope
and metric so that dashboards and board packs read them without touching case rows. A period's
values are replaced in one transaction, so readers see either the old or the new snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScopeType(models.TextChoices):
    REGION = "region", "Region"
    LA = "la", "Local authority"
    AREA = "area", "Area or quadrant"
    TEAM = "team", "Team"


class MetricRun(models.Model):
    """One computation of metrics for a range of months, with its outcome (the run log)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (another run held the lock)"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Nightly schedule"
        COMMAND = "command", "Management command"
        ADMIN = "admin", "Administrator"
        TEST = "test", "Test"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.COMMAND)
    first_period = models.DateField(null=True, blank=True, help_text="First month computed (1st of the month).")
    last_period = models.DateField(null=True, blank=True, help_text="Last month computed (1st of the month).")
    as_of = models.DateField(null=True, blank=True, help_text="Date the run treated as today.")
    rows_written = models.PositiveIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Metric run {self.pk} ({self.get_status_display()})"


class PeriodSnapshot(models.Model):
    """The run whose values are current for a month. Replaced with the values, atomically."""

    period = models.DateField(primary_key=True, help_text="First day of the month.")
    run = models.ForeignKey(MetricRun, on_delete=models.PROTECT, related_name="snapshots")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period:%B %Y} from run {self.run_id}"


class MetricValue(models.Model):
    """One figure: a metric for a month and a scope (and optionally one breakdown value)."""

    # Derived rows written in bulk by the metrics service only (hundreds of thousands per run): no
    # database foreign-key checks or extra indexes on run and LA, which cost more than the
    # aggregation itself. Runs are never deleted; LAs are reference data.
    run = models.ForeignKey(
        MetricRun, on_delete=models.DO_NOTHING, related_name="values", db_constraint=False, db_index=False
    )
    period = models.DateField(help_text="First day of the month the value is for.")
    metric = models.CharField(max_length=60, help_text="Metric code from reporting.catalogue.")
    scope_type = models.CharField(max_length=10, choices=ScopeType.choices)
    scope_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="Id of the LA, area or team; empty for the region."
    )
    local_authority = models.ForeignKey(
        "cases.LocalAuthority",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    dimension = models.CharField(
        max_length=60, blank=True, default="", help_text="Breakdown key, e.g. a reason code, driver or band."
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["metric", "scope_type", "scope_id", "period"], name="metricvalue_trend"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "metric", "scope_type", "scope_id", "dimension"],
                name="metricvalue_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.scope_type}:{self.scope_id} {self.period:%Y-%m} = {self.value}"


class BoardPack(models.Model):
    """A rendered monthly LFJB board pack (aggregates only), stored with what produced it."""

    month = models.DateField(unique=True, help_text="First day of the month the pack reports on.")
    metric_run = models.ForeignKey(MetricRun, on_delete=models.PROTECT, related_name="board_packs")
    file = models.FileField(upload_to="board-packs/")
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    page_count = models.PositiveSmallIntegerField()
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    render_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Board pack {self.month:%B %Y}"


class BoardPackDownload(models.Model):
    """Who downloaded which board pack, and when."""

    pack = models.ForeignKey(BoardPack, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.pack} at {self.downloaded_at:%Y-%m-%d %H:%M}"


class ForecastModel(models.Model):
    """One trained breach-forecast model: its version, training window, parameters and validation figures.

    Trained nightly on concluded applications (``reporting.forecast``); the forecast is shown only when
    the model beat both baselines on the rolling backtest (``shown``).
    """

    version = models.CharField(max_length=40, unique=True, help_text="Model version (when it was trained).")
    trained_at = models.DateTimeField(help_text="When the model was trained.")
    as_of = models.DateField(help_text="The day the model treated as today.")
    training_from = models.DateField(null=True, blank=True, help_text="Earliest issue date of a training case.")
    training_to = models.DateField(null=True, blank=True, help_text="Latest conclusion date of a training case.")
    training_cases = models.PositiveIntegerField(default=0, help_text="Concluded applications trained on.")
    features = models.JSONField(default=list, help_text="Names of the model's features, in order.")
    parameters = models.JSONField(
        default=dict, help_text="What a forecast needs: coefficients, feature means, baseline survival curve."
    )
    c_index = models.FloatField(null=True, blank=True, help_text="Backtest concordance index of the model.")
    brier = models.FloatField(null=True, blank=True, help_text="Backtest Brier score at 26 weeks of the model.")
    brier_baseline = models.FloatField(
        null=True, blank=True, help_text="Backtest Brier score at 26 weeks of the better baseline."
    )
    calibration_max_gap = models.FloatField(
        null=True, blank=True, help_text="Largest gap between predicted and observed breach rate over deciles."
    )
    validation = models.JSONField(default=dict, help_text="Every backtest figure, the baselines' included.")
    backtest_cases = models.PositiveIntegerField(default=0, help_text="Open applications predicted in the backtest.")
    shown = models.BooleanField(default=False, help_text="Whether the model beat both baselines (else not shown).")
    note = models.TextField(blank=True, help_text="Why the forecast is or is not shown, in plain words.")
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-trained_at"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"Forecast model {self.version}"


class CaseForecast(models.Model):
    """The forecast for one open application in one month, kept so it can be compared with the outturn."""

    model = models.ForeignKey(ForecastModel, on_delete=models.CASCADE, related_name="forecasts")
    local_authority = models.ForeignKey(
        "cases.LocalAuthority", on_delete=models.PROTECT, related_name="+", help_text="LA of the application."
    )
    proceedings = models.ForeignKey(
        "cases.Proceedings", on_delete=models.CASCADE, related_name="forecasts", help_text="The open application."
    )
    month = models.DateField(help_text="First day of the month the forecast was made in.")
    as_of = models.DateField(help_text="The day the forecast was made for.")
    weeks_open = models.FloatField(help_text="Weeks since issue on that day.")
    p_breach_26 = models.FloatField(help_text="Probability of concluding after 26 weeks, given it is still open.")
    p_breach_end = models.FloatField(
        help_text="Probability of concluding after the current timetable end, given it is still open."
    )
    expected_conclusion = models.DateField(help_text="Expected (median) conclusion date.")
    interval_low = models.DateField(null=True, blank=True, help_text="Early end of the 80% interval.")
    interval_high = models.DateField(null=True, blank=True, help_text="Late end of the 80% interval (empty: beyond).")
    band = models.CharField(max_length=10, help_text="Risk band: high, medium or low.")
    reasons = models.JSONField(default=list, help_text="The main reasons, in words, strongest first.")

    class Meta:
        ordering = ["-month", "proceedings_id"]
        constraints = [
            models.UniqueConstraint(fields=["proceedings", "month"], name="caseforecast_one_per_month"),
        ]
        indexes = [models.Index(fields=["local_authority", "month"], name="caseforecast_la_month")]

    def __str__(self) -> str:
        return f"Forecast for application {self.proceedings_id} in {self.month:%Y-%m}"


class CompletenessSnapshot(models.Model):
    """One nightly computation of the regional data exercise, kept with the earlier ones for comparison.

    Written with all its figures in one transaction (``reporting.services.completeness``): a run that
    fails or is killed leaves no snapshot, and the latest complete one stays shown.
    """

    computed_at = models.DateTimeField(help_text="When the figures were computed.")
    as_at = models.DateField(help_text="The day the figures are as at: the records held then.")
    trigger = models.CharField(max_length=10, choices=MetricRun.Trigger.choices, default=MetricRun.Trigger.COMMAND)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        get_latest_by = ["computed_at", "pk"]

    def __str__(self) -> str:
        return f"Data exercise figures as at {self.as_at:%Y-%m-%d} (snapshot {self.pk})"


class CompletenessFigure(models.Model):
    """A snapshot's figure for an LA or the region: a record type's records (no field), or one field's filled.

    Counts as computed, unsuppressed: the small-number rule is applied when they are shown
    (``reporting.selectors.completeness_figures``). Labels are stored so that an old snapshot reads as it did.
    """

    snapshot = models.ForeignKey(CompletenessSnapshot, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveIntegerField(help_text="Order on the page: the data dictionary's.")
    model = models.CharField(max_length=60, help_text="The case model (record type), e.g. Child.")
    model_label = models.CharField(max_length=100)
    field = models.CharField(max_length=60, blank=True, help_text="The field; empty for the number of records.")
    field_label = models.CharField(max_length=200, blank=True)
    local_authority = models.ForeignKey(
        "cases.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the region.",
    )
    records = models.PositiveIntegerField(help_text="Records of the model.")
    filled = models.PositiveIntegerField(null=True, blank=True, help_text="Of them, with the field filled in.")
    share = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent filled in; empty with no records."
    )

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "model", "field", "local_authority"],
                name="completenessfigure_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}.{self.field or 'records'} for {self.local_authority_id or 'region'}: {self.filled}"
