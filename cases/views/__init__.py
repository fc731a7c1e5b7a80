"""Case pages (``cases``), the tracker list (``tracker``), meeting mode (``meetings``), the data dictionary."""
