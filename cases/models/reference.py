"""Reference data loaded by data migrations: code lists, thresholds, comparators, populations.

Figures carry their source and vintage."""

from __future__ import annotations

from django.db import models

from cases.constants import ComparatorKind
from cases.models.organisations import LocalAuthority


class ReferenceCode(models.Model):
    """Common shape of a coded reference list."""

    code = models.CharField(max_length=40, primary_key=True, help_text="Stable code used in extracts.")
    label = models.CharField(max_length=200, help_text="Agreed wording shown to users.")
    description = models.TextField(blank=True, help_text="What the code means and when to use it.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive codes stay valid on old records only.")

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class Court(ReferenceCode):
    """A family court hearing centre of the area."""


class HearingType(ReferenceCode):
    """A type of hearing in Section 31 proceedings (PD12A)."""


class OrderOutcome(ReferenceCode):
    """Final outcome of proceedings for one child."""

    concludes = models.BooleanField(default=True, help_text="Whether this outcome concludes the child's proceedings.")


class AssessmentType(ReferenceCode):
    """A kind of assessment, with its good-practice target where one exists."""

    target_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks from instruction to completion; empty means use the due date."
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the target comes from.")
    vintage = models.CharField(max_length=20, blank=True, help_text="Year the target was published.")


class DelayDriver(ReferenceCode):
    """A Trailblazer delay driver (top level of the delay taxonomy)."""

    source = models.CharField(max_length=200, blank=True)


class DelayReason(ReferenceCode):
    """A delay / adjournment reason code (second level), mapped to one driver."""

    driver = models.ForeignKey(DelayDriver, on_delete=models.PROTECT, related_name="reasons")
    category = models.CharField(max_length=100, help_text="HMCTS reason group, e.g. Local authority, Experts.")
    source = models.CharField(max_length=200, blank=True)


class Threshold(models.Model):
    """A timescale the tracker measures against (statutory or local policy)."""

    code = models.CharField(max_length=60, primary_key=True)
    label = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    unit = models.CharField(max_length=20, help_text="days or weeks")
    statutory = models.BooleanField(default=False)
    source = models.CharField(max_length=300)
    vintage = models.CharField(max_length=20)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"


class NationalComparator(models.Model):
    """A figure to compare the region against: national, the region's baseline, an LA's own or an exemplar."""

    metric = models.CharField(max_length=60, help_text="Metric code the figure compares with.")
    kind = models.CharField(
        max_length=20,
        choices=ComparatorKind.choices,
        help_text="What the figure is. Only national figures (England) are shown under National.",
    )
    label = models.CharField(
        max_length=200, help_text="Which figure it is; for a local authority's own figure, name the LA."
    )
    value = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=30)
    source = models.CharField(max_length=300)
    vintage = models.CharField(max_length=20)
    uncertain = models.BooleanField(default=False, help_text="True where the source's figure is doubtful.")

    class Meta:
        ordering = ["metric", "label"]
        constraints = [models.UniqueConstraint(fields=["metric", "label", "vintage"], name="comparator_unique")]

    def __str__(self) -> str:
        return f"{self.heading} ({self.vintage})"

    @property
    def heading(self) -> str:
        """How the figure is named wherever it is shown: what kind of figure it is, then which one."""
        prefix = _COMPARATOR_PREFIXES.get(self.kind)
        return f"{prefix}: {self.label}" if prefix else self.label

    @property
    def citation(self) -> str:
        """Its source and vintage, and a warning when the figure is doubtful."""
        return f"{self.source}, {self.vintage}" + ("; uncertain figure" if self.uncertain else "")


# A local authority's own figure has no prefix: its label names the LA ("Essex's own figure").
_COMPARATOR_PREFIXES = {
    ComparatorKind.NATIONAL: "National (England)",
    ComparatorKind.REGIONAL_BASELINE: "Regional baseline",
    ComparatorKind.EXEMPLAR: "Good-practice exemplar",
}


class ChildPopulation(models.Model):
    """Children aged 0-17 in an LA in a year (ONS mid-year estimate)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="populations")
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=300)
    vintage = models.CharField(max_length=20)

    class Meta:
        ordering = ["local_authority__name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "year"], name="population_unique_la_year"),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority} {self.year}: {self.population}"
