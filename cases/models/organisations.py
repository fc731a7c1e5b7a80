"""Organisations and the people who sign in: local authorities, their areas and teams, users."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cases.constants import LA_ROLES, Role


class LocalAuthority(models.Model):
    """One of the region's local authorities (reference data loaded by migration)."""

    name = models.CharField(max_length=100, unique=True, help_text="Council name.")
    short_name = models.CharField(max_length=40, unique=True, help_text="Name used in tables and charts.")
    dfe_code = models.CharField(max_length=3, unique=True, help_text="DfE three-digit LA code.")
    ons_code = models.CharField(max_length=9, unique=True, help_text="ONS GSS code of the local authority.")
    case_system = models.CharField(max_length=40, blank=True, help_text="Case management system the LA runs.")
    retention_years = models.PositiveSmallIntegerField(
        "retention period in years",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Years a case is kept after it closes, then removed; empty for the service's default.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_years__isnull=True) | Q(retention_years__gte=1, retention_years__lte=100),
                name="la_retention_years_range",
                violation_error_message="The retention period must be between 1 and 100 years.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def retention_period_years(self) -> int:
        """Years its cases are kept after closing: its own period, else the service's default."""
        return self.retention_years or settings.PLO_RETENTION_YEARS


class Area(models.Model):
    """An LA's area or quadrant (editable reference data)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(max_length=100, help_text="Area or quadrant name, e.g. North East.")

    class Meta:
        ordering = ["local_authority__name", "name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "name"], name="area_unique_name_per_la")]

    def __str__(self) -> str:
        return f"{self.name} ({self.local_authority.short_name})"


class Team(models.Model):
    """A social work team within an area (editable reference data)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="teams")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=100, help_text="Team name.")

    class Meta:
        ordering = ["local_authority__name", "name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "name"], name="team_unique_name_per_la")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    """Superusers created from the command line have no LA, so they get a regional role."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.REGIONAL_ANALYST)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: one LA (except regional roles) and one role."""

    objects = UserManager()

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SOCIAL_WORKER)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Required for LA roles; empty for board members and regional analysts.",
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    task_reminders = models.BooleanField(
        "task reminders",
        default=True,
        help_text="Send a daily email of the user's overdue items and items due soon (My tasks).",
    )
    task_reminder_sent_on = models.DateField(
        "task reminder sent on",
        null=True,
        blank=True,
        editable=False,
        help_text="The day the last task reminder email was sent: at most one a day.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(LA_ROLES)) | Q(local_authority__isnull=False),
                name="user_la_role_needs_la",
                violation_error_message="A user with an LA role must belong to a local authority.",
            )
        ]
