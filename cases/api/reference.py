"""API endpoints: reference (to be written)."""

ROUTES: list = []
