from django.contrib import admin

from .models import Attendance, Certificate, Cohort, Course, Enrollment, Trainee


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "base", "kind", "hours", "is_free", "is_active"]
    list_filter = ["base", "kind"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "trainer", "starts_on", "ends_on", "capacity"]
    list_filter = ["course__kind"]
    raw_id_fields = ["trainer"]


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "base", "merchant"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["user", "team_member", "merchant"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Read here; places are given and freed by training.services (capacity and waitlist)."""

    list_display = ["trainee", "cohort", "status", "queued_at", "completed_at"]
    list_filter = ["status"]
    raw_id_fields = ["trainee", "cohort", "enrolled_by"]
    readonly_fields = ["status", "queued_at", "status_changed_at", "completed_at"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "day", "present"]
    raw_id_fields = ["enrollment", "recorded_by"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "enrollment", "issued_at"]
    search_fields = ["code"]
    raw_id_fields = ["enrollment", "issued_by"]
