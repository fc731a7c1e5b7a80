"""Lock-out counting (a django-axes handler): one limit per account and a higher one per address.

django-axes counts failed passwords per username and per client address (``AXES_LOCKOUT_PARAMETERS``)
against one limit. An address is often shared, though: a council's offices reach the service from a
few addresses, so a per-address limit as low as the per-account one would let a handful of typing
mistakes across an office lock out everyone in it. Here the address has its own limit,
``PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT``: enough to stop one address trying password after password
across many accounts, without a busy office locking itself out.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class SignInLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The account's failures, or the account limit itself once the address has reached its own.

        django-axes locks out when this reaches ``AXES_FAILURE_LIMIT``.
        """
        counts = {}
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS, self.get_user_attempts(request, credentials), strict=True
        ):
            counts[parameter] = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        by_account = counts.get("username", 0)
        if counts.get("ip_address", 0) >= settings.PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account
