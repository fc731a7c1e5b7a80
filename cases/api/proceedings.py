"""API endpoints: proceedings (to be written)."""

ROUTES: list = []
