from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("catalogue/", views.product_list, name="product_list"),
    path("catalogue/new/", views.product_create, name="product_create"),
    path("catalogue/<int:pk>/", views.product_detail, name="product_detail"),
    path("catalogue/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("catalogue/<int:pk>/photos/", views.product_photo_add, name="product_photo_add"),
    path("catalogue/<int:pk>/restock/", views.product_restock, name="product_restock"),
    path("catalogue/<int:pk>/price/", views.product_platform_price, name="product_price"),
    path("catalogue/photos/<int:pk>/delete/", views.product_photo_delete, name="photo_delete"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/import/", views.order_import, name="order_import"),
    path("orders/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("orders/export.csv", views.order_export, name="order_export"),
    path("orders/payment-deadlines/", views.order_policy, name="order_policy"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/refund/", views.order_refund, name="order_refund"),
    path("orders/<int:pk>/claims/", views.claim_create, name="claim_create"),
    path("orders/claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("orders/<int:pk>/<slug:action>/", views.order_transition, name="order_transition"),
]
