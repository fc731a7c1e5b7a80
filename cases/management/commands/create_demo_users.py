"""Create (or reset) the demo sign-ins and print them. Development and demos only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services as accounts_services
from accounts.authenticator import secret_for_display
from cases.constants import Role
from cases.models import Family, LocalAuthority, PreProceedingsEpisode, Proceedings, Team, User

DEMO_PASSWORD = "plo-demo-2026"  # noqa: S105 - a published demo password, refused outside DEBUG
# The authenticator app secret (hex) every demo user shares: published too, so anyone trying the demo
# can add it to an app, or print the current code with `manage.py demo_code <username>`.
DEMO_TOTP_KEY = b"PLO-Tracker-demo-key".hex()

# username, role, LA DfE code (None: regional), description
DEMO_USERS = [
    ("sw.essex", Role.SOCIAL_WORKER, "881", "Essex social worker with a caseload"),
    ("tm.essex", Role.TEAM_MANAGER, "881", "Essex team manager (same team)"),
    ("chair.essex", Role.QUADRANT_CHAIR, "881", "Essex quadrant tracker meeting chair (read-only on cases)"),
    ("admin.essex", Role.LA_ADMIN, "881", "Essex LA administrator"),
    ("sw.suffolk", Role.SOCIAL_WORKER, "935", "Suffolk social worker (cannot see Essex children)"),
    ("board", Role.BOARD_MEMBER, None, "LFJB board member (aggregates and board packs only)"),
    ("analyst", Role.REGIONAL_ANALYST, None, "Regional analyst (aggregates for all four LAs)"),
    ("superuser", Role.REGIONAL_ANALYST, None, "Django admin superuser"),
]
CASELOAD = 12


class Command(BaseCommand):
    help = "Create the demo users (password printed) and give the demo social worker a caseload."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never in production).")

    @transaction.atomic
    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo users have a published password: run this only with DEBUG=1 (or --force).")
        teams = {}
        for username, role, dfe, description in DEMO_USERS:
            la = LocalAuthority.objects.get(dfe_code=dfe) if dfe else None
            team = None
            if la is not None:
                team = teams.setdefault(
                    dfe, Team.objects.filter(local_authority=la).order_by("area__name", "name").first()
                )
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "role": role,
                    "local_authority": la,
                    "team": team,
                    "first_name": description.split()[0],
                    "last_name": "(demo)",
                    "email": f"{username}@example.test",
                    "is_staff": username in {"superuser", "admin.essex"},
                    "is_superuser": username == "superuser",
                    "is_active": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            device = accounts_services.totp_device_set(user=user, key=DEMO_TOTP_KEY)
        self._give_caseload()
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, _role, _dfe, description in DEMO_USERS:
            self.stdout.write(f"  {username:<13} {description}")
        self.stdout.write(
            "\nThen a code from an authenticator app. For the current code, run:\n"
            "  .venv/bin/python manage.py demo_code <username>\n"
            f"or add this key to an authenticator app (the same for every demo user): {secret_for_display(device)}"
        )

    def _give_caseload(self) -> None:
        """Allocate some open families in the demo social worker's team to them, if they have none."""
        worker = User.objects.get(username="sw.essex")
        if Family.objects.filter(social_worker=worker).exists():
            return
        open_families = (
            Family.objects.filter(team=worker.team, local_authority=worker.local_authority)
            .filter(pk__in=PreProceedingsEpisode.objects.open().values("family_id"))
            .order_by("pk")[: CASELOAD // 2]
        )
        in_court = (
            Family.objects.filter(team=worker.team, local_authority=worker.local_authority)
            .filter(pk__in=Proceedings.objects.open().values("family_id"))
            .order_by("pk")[: CASELOAD // 2]
        )
        ids = {f.pk for f in open_families} | {f.pk for f in in_court}
        Family.objects.filter(pk__in=ids).update(social_worker=worker)
