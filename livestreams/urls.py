app_name = "livestreams"

urlpatterns: list = []
