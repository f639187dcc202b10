"""The pages of the orders app, composed from each concern's views: the catalogue
(``orders.catalogue.views``), orders (``orders.ordering.views``) and the intake's order form and
CSV import (``orders.intake.views``). The names and paths are a contract: templates, tests and
other apps reverse them."""

from django.urls import path

from orders.catalogue import views as catalogue
from orders.intake import job_views
from orders.intake import views as intake
from orders.ordering import bulk_views, exports
from orders.ordering import views as ordering

app_name = "orders"

urlpatterns = [
    path("catalogue/", catalogue.product_list, name="product_list"),
    path("catalogue/import/", job_views.catalogue_import, name="catalogue_import"),
    path("catalogue/new/", catalogue.product_create, name="product_create"),
    path("catalogue/<int:pk>/", catalogue.product_detail, name="product_detail"),
    path("catalogue/<int:pk>/edit/", catalogue.product_edit, name="product_edit"),
    path("catalogue/<int:pk>/photos/", catalogue.product_photo_add, name="product_photo_add"),
    path("catalogue/<int:pk>/restock/", catalogue.product_restock, name="product_restock"),
    path("catalogue/<int:pk>/price/", catalogue.product_platform_price, name="product_price"),
    path("catalogue/photos/<int:pk>/delete/", catalogue.product_photo_delete, name="photo_delete"),
    path("orders/", ordering.order_list, name="order_list"),
    path("orders/new/", intake.order_create, name="order_create"),
    path("orders/new/streams/", intake.order_stream_picks, name="order_stream_picks"),
    path("orders/import/", job_views.order_import, name="order_import"),
    path("imports/<int:pk>/", job_views.import_job, name="import_job"),
    path(
        "imports/<int:pk>/bad-rows.csv", job_views.import_job_bad_rows, name="import_job_bad_rows"
    ),
    path("orders/imports/<int:pk>/", intake.import_detail, name="import_detail"),
    path("orders/export.csv", exports.order_export_csv, name="order_export"),
    path("orders/export.xlsx", exports.order_export_xlsx, name="order_export_xlsx"),
    path("orders/payment-deadlines/", ordering.order_policy, name="order_policy"),
    path("orders/bulk/mark-paid/", bulk_views.orders_bulk_mark_paid, name="bulk_mark_paid"),
    path("orders/bulk/ship/", bulk_views.orders_bulk_ship, name="bulk_ship"),
    path("orders/<int:pk>/", ordering.order_detail, name="order_detail"),
    path("orders/<int:pk>/refund/", ordering.order_refund, name="order_refund"),
    path("orders/<int:pk>/claims/", ordering.claim_create, name="claim_create"),
    path("orders/claims/<int:pk>/decide/", ordering.claim_decide, name="claim_decide"),
    path("files/claims/<int:pk>/photo", ordering.claim_photo, name="claim_photo"),
    path("orders/<int:pk>/<slug:action>/", ordering.order_transition, name="order_transition"),
]
