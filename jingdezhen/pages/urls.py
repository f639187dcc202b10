"""Cross-app pages: the turnover dashboards and incubation analytics."""

from django.urls import path

from . import board, dashboard, incubation, monthly_report

urlpatterns = [
    path("board/", board.board, name="board"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<str:table>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("dashboard/incubation/", incubation.incubation_analytics, name="incubation_analytics"),
    path(
        "dashboard/merchants/<int:pk>/",
        dashboard.merchant_dashboard_for,
        name="merchant_dashboard_for",
    ),
    path(
        "dashboard/merchants/<int:pk>/<str:table>.csv",
        dashboard.merchant_dashboard_csv,
        name="merchant_dashboard_csv",
    ),
    path("turnover/", dashboard.merchant_dashboard, name="merchant_dashboard"),
    path("reports/monthly/", monthly_report.monthly_report_page, name="monthly_report"),
    path("reports/monthly.xlsx", monthly_report.monthly_report_xlsx, name="monthly_report_xlsx"),
]
