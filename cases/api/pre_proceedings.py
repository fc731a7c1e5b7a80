"""API endpoints: pre_proceedings (to be written)."""

ROUTES: list = []
