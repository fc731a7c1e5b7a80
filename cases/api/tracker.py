"""API endpoints: tracker (to be written)."""

ROUTES: list = []
