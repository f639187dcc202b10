"""The top of the house: home, dashboards, charts and the pages composed from several apps.
The only layer that combines apps (make lint checks it)."""
