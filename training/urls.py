from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("training/courses/", views.course_list, name="course_list"),
    path("training/cohorts/", views.cohort_list, name="cohort_list"),
    path("training/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("training/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("training/cohorts/<int:pk>/candidates/", views.cohort_candidates, name="candidates"),
    path("training/cohorts/<int:pk>/enrol/", views.cohort_enrol, name="cohort_enrol"),
    path(
        "training/cohorts/<int:pk>/newcomer/",
        views.cohort_enrol_newcomer,
        name="cohort_enrol_newcomer",
    ),
    path("training/cohorts/<int:pk>/capacity/", views.cohort_capacity, name="cohort_capacity"),
    path("training/cohorts/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("training/enrollments/<int:pk>/drop/", views.enrollment_drop, name="enrollment_drop"),
    path(
        "training/enrollments/<int:pk>/complete/",
        views.enrollment_complete,
        name="enrollment_complete",
    ),
    path("training/trainees/", views.trainee_list, name="trainee_list"),
    path("training/trainees/new/", views.trainee_create, name="trainee_create"),
    path("training/trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("training/trainees/<int:pk>/link/", views.trainee_link, name="trainee_link"),
    path("training/certificates/<str:code>/", views.certificate, name="certificate"),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify_form"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
]
