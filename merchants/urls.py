from django.urls import path

from . import views

app_name = "merchants"

urlpatterns = [
    path("merchants/<int:pk>/", views.merchant_detail, name="merchant_detail"),
    path("my-merchant/", views.my_merchant, name="my_merchant"),
]
