"""API endpoints: meetings (to be written)."""

ROUTES: list = []
