"""The bottom of the house: tenancy, errors, API and form helpers, platforms, ceramic choices,
time, stats and bounds. It imports no app of the project (make lint checks it)."""
