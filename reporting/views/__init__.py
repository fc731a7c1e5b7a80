"""The dashboard (``dashboard``) and the board pack archive (``packs``)."""
