"""Cross-app pages (the base dashboard lives here when the rollups land)."""

urlpatterns: list = []
