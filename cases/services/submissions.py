"""One-use form tokens, so a double submit saves once (the token is claimed in the shared cache)."""

from __future__ import annotations

from django.core.cache import cache

SUBMISSION_TTL = 24 * 60 * 60


def submission_claim(*, token: str) -> bool:
    """Claim a form's one-use token; False when the same form was already submitted (double submit)."""
    if not token:
        return True
    return cache.add(f"submission:{token}", 1, timeout=SUBMISSION_TTL)


def submission_release(*, token: str) -> None:
    """Give a token back after a failed save, so the corrected form can be sent again."""
    if token:
        cache.delete(f"submission:{token}")
