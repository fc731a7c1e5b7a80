"""Print the code a demo user's authenticator app would show now. Development and demos only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import selectors
from accounts.authenticator import current_code
from cases.models import User


class Command(BaseCommand):
    help = "Print the current authenticator app code of a user (DEBUG only: demo sign-ins)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="sw.essex")

    def handle(self, *args, username, **options):
        # Printing codes would make the second factor as weak as shell access: never in production.
        if not settings.DEBUG:
            raise CommandError("demo_code prints sign-in codes: it runs only with DEBUG=1.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        devices = selectors.authenticator_devices(user)
        if not devices:
            raise CommandError(f"{username} has not set up an authenticator app: they set one up when they sign in.")
        self.stdout.write(current_code(devices[0]))
