"""The ceramic catalogue: product services (``services.py``), photo checks (``photos.py``),
reads (``selectors.py``), pages, forms and API."""
