"""REST API of training: the same selectors and services as the trainer pages.

Trainers act on the training of their base; managers read it; merchant members get 403 (the rule
is ``selectors.require_reader``, asked before anything else, and the pages' selectors ask it too).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jingdezhen.core.api import MAX_ID, IdFilter, IdFilterSet, ReachMixin, plain_choice_field
from merchants.models import Merchant, User

from . import lifecycle, selectors, services
from .models import Attendance, Certificate, Cohort, Course, Enrollment, Trainee

# The most trainees one attendance sheet marks present (a cohort holds at most 10,000 places).
MAX_PRESENT = 10_000


class CourseSerializer(serializers.ModelSerializer):
    kind = plain_choice_field(Course.Kind.choices)
    cohort_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "kind",
            "is_free",
            "hours",
            "description",
            "attendance_threshold",
            "is_active",
            "cohort_count",
        ]
        read_only_fields = ["id", "is_active", "cohort_count"]


class CohortSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="course_id")
    trainer = serializers.IntegerField(source="trainer_id")
    enrolled_count = serializers.IntegerField(read_only=True)
    waitlisted_count = serializers.IntegerField(read_only=True)
    completed_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "course",
            "name",
            "trainer",
            "starts_on",
            "ends_on",
            "room",
            "capacity",
            "enrolled_count",
            "waitlisted_count",
            "completed_count",
        ]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}


class CapacitySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(min_value=1, max_value=10_000)


class TraineeSerializer(serializers.ModelSerializer):
    completed_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Trainee
        fields = ["id", "name", "phone", "background", "merchant", "completed_count", "created_at"]
        read_only_fields = ["id", "merchant", "completed_count", "created_at"]


class ApplySerializer(serializers.Serializer):
    merchant_name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Merchant.Kind.choices, default=Merchant.Kind.STUDIO)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class EnrollmentSerializer(serializers.ModelSerializer):
    cohort = serializers.IntegerField(source="cohort_id")
    trainee = serializers.IntegerField(source="trainee_id")
    trainee_name = serializers.CharField(source="trainee.name", read_only=True)
    status = plain_choice_field(Enrollment.Status.choices, read_only=True)
    enrolled_by = serializers.StringRelatedField()
    certificate_code = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="The actions the enrolment's lifecycle allows now."
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "cohort",
            "trainee",
            "trainee_name",
            "status",
            "enrolled_by",
            "created_at",
            "queued_at",
            "completed_at",
            "certificate_code",
            "actions",
        ]
        read_only_fields = [
            "id",
            "status",
            "enrolled_by",
            "created_at",
            "queued_at",
            "completed_at",
        ]

    def get_actions(self, obj: Enrollment) -> list[str]:
        return [t.action for t in lifecycle.actions_for(obj)]

    def get_certificate_code(self, obj: Enrollment) -> str | None:
        cert = getattr(obj, "certificate", None) if obj.status == "completed" else None
        return cert.code if cert else None


class TrainingViewSet(ReachMixin, viewsets.GenericViewSet):
    reach_rule = staticmethod(selectors.require_reader)

    def _valid(self, serializer_class=None) -> dict:
        serializer = (serializer_class or self.get_serializer_class())(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class CourseViewSet(
    TrainingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Course.objects.none()
    serializer_class = CourseSerializer
    filterset_fields = ["kind", "is_free", "is_active"]
    ordering_fields = ["title", "kind", "id"]

    def get_queryset(self):
        return selectors.course_list(reach=self.reach).order_by("kind", "title", "id")

    def create(self, request, *args, **kwargs):
        course = services.course_create(actor=self.reach, **self._valid())
        course = selectors.course_list(reach=self.reach).get(pk=course.pk)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)


class CohortViewSet(
    TrainingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Cohort.objects.none()
    serializer_class = CohortSerializer
    filterset_fields = ["course", "trainer"]
    ordering_fields = ["starts_on", "id"]

    def get_queryset(self):
        return selectors.cohort_list(reach=self.reach)

    def _out(self, pk: int, code=status.HTTP_200_OK) -> Response:
        cohort = selectors.cohort_get(reach=self.reach, pk=pk)
        return Response(CohortSerializer(cohort).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._valid()
        course = selectors.course_get(reach=self.reach, pk=data.pop("course_id"))
        trainer = User.objects.filter(pk=data.pop("trainer_id")).first()
        if trainer is None:
            raise serializers.ValidationError({"trainer": ["Choose a trainer of this base."]})
        cohort = services.cohort_create(actor=self.reach, course=course, trainer=trainer, **data)
        return self._out(cohort.pk, status.HTTP_201_CREATED)

    @extend_schema(request=CapacitySerializer, responses=CohortSerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        """Change the number of places; new places are given to the waitlist in order."""
        cohort = self.get_object()
        data = self._valid(CapacitySerializer)
        services.cohort_set_capacity(
            actor=self.reach, cohort_id=cohort.pk, capacity=data["capacity"]
        )
        return self._out(cohort.pk)


class TraineeViewSet(
    TrainingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Trainee.objects.none()
    serializer_class = TraineeSerializer
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        return selectors.trainee_list(
            reach=self.reach, search=self.request.query_params.get("q", "")
        )

    def create(self, request, *args, **kwargs):
        trainee = services.trainee_create(actor=self.reach, **self._valid())
        trainee = selectors.trainee_list(reach=self.reach).get(pk=trainee.pk)
        return Response(TraineeSerializer(trainee).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplySerializer, responses={201: TraineeSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Turn a trainee who completed a course into a merchant applicant, in one step."""
        trainee = self.get_object()
        services.trainee_to_applicant(
            actor=self.reach, trainee_id=trainee.pk, **self._valid(ApplySerializer)
        )
        trainee = selectors.trainee_list(reach=self.reach).get(pk=trainee.pk)
        return Response(TraineeSerializer(trainee).data, status=status.HTTP_201_CREATED)


class EnrollmentViewSet(
    TrainingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Enrolments; creating one goes through the same service as the page: a full cohort puts
    the trainee on the waitlist (the answer's ``status`` says which)."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Enrollment.objects.none()
    serializer_class = EnrollmentSerializer
    filterset_fields = ["cohort", "trainee", "status"]
    ordering_fields = ["queued_at", "id"]

    def get_queryset(self):
        return selectors.enrollment_list(reach=self.reach).order_by("cohort", "queued_at", "id")

    def _out(self, pk: int, code=status.HTTP_200_OK) -> Response:
        enrollment = selectors.enrollment_get(reach=self.reach, pk=pk)
        return Response(EnrollmentSerializer(enrollment).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._valid()
        enrollment = services.enrollment_create(
            actor=self.reach, cohort_id=data["cohort_id"], trainee_id=data["trainee_id"]
        )
        return self._out(enrollment.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        """Drop out; the first waitlisted trainee takes the freed place."""
        enrollment = self.get_object()
        services.enrollment_drop(actor=self.reach, enrollment_id=enrollment.pk)
        return self._out(enrollment.pk)

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the course completed; issues the certificate."""
        enrollment = self.get_object()
        services.enrollment_complete(actor=self.reach, enrollment_id=enrollment.pk)
        return self._out(enrollment.pk)


class AttendanceSerializer(serializers.ModelSerializer):
    cohort = serializers.IntegerField(source="enrollment.cohort_id", read_only=True)
    trainee = serializers.IntegerField(source="enrollment.trainee_id", read_only=True)
    trainee_name = serializers.CharField(source="enrollment.trainee.name", read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "enrollment",
            "cohort",
            "trainee",
            "trainee_name",
            "day",
            "present",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class AttendanceSheetSerializer(serializers.Serializer):
    """One day of a cohort: the enrolments that were there; every other trainee holding a place
    is recorded absent. Sending the day again replaces it."""

    cohort = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    day = serializers.DateField()
    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True,
        max_length=MAX_PRESENT,
        help_text="The ids of the enrolments present that day.",
    )


class AttendanceDaySerializer(serializers.Serializer):
    cohort = serializers.IntegerField()
    day = serializers.DateField()
    recorded = serializers.IntegerField(help_text="How many trainees the day records.")
    attendance = AttendanceSerializer(many=True)


class AttendanceFilter(IdFilterSet):
    cohort = IdFilter(field_name="enrollment__cohort")

    class Meta:
        model = Attendance
        fields = ["cohort", "enrollment", "day", "present"]


class AttendanceViewSet(TrainingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Attendance, one row per trainee and day (``?cohort=<id>&day=<YYYY-MM-DD>`` for one day's
    sheet). Trainers record a day (``POST``); managers read."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Attendance.objects.none()
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    ordering_fields = ["day", "id"]

    def get_queryset(self):
        return selectors.attendance_list(reach=self.reach)

    @extend_schema(request=AttendanceSheetSerializer, responses={201: AttendanceDaySerializer})
    def create(self, request, *args, **kwargs):
        data = self._valid(AttendanceSheetSerializer)
        recorded = services.attendance_record(
            actor=self.reach,
            cohort_id=data["cohort"],
            day=data["day"],
            present_ids=set(data["present"]),
        )
        rows = selectors.attendance_list(reach=self.reach).filter(
            enrollment__cohort_id=data["cohort"], day=data["day"]
        )
        body = {
            "cohort": data["cohort"],
            "day": data["day"],
            "recorded": recorded,
            "attendance": rows.order_by("enrollment_id"),
        }
        return Response(AttendanceDaySerializer(body).data, status=status.HTTP_201_CREATED)


class CertificateSerializer(serializers.ModelSerializer):
    trainee = serializers.IntegerField(source="enrollment.trainee_id", read_only=True)
    trainee_name = serializers.CharField(source="enrollment.trainee.name", read_only=True)
    cohort = serializers.IntegerField(source="enrollment.cohort_id", read_only=True)
    course = serializers.IntegerField(source="enrollment.cohort.course_id", read_only=True)
    course_title = serializers.CharField(source="enrollment.cohort.course.title", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "enrollment",
            "trainee",
            "trainee_name",
            "cohort",
            "course",
            "course_title",
            "issued_at",
            "issued_by",
        ]
        read_only_fields = fields


class CertificateViewSet(TrainingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Certificates of the base's courses; one is issued when an enrolment is completed
    (``POST /training/enrollments/<id>/complete/``). Anyone may check a code at
    ``/certificates/verify/<code>/``."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Certificate.objects.none()
    serializer_class = CertificateSerializer
    filterset_fields = ["enrollment", "code"]
    ordering_fields = ["issued_at", "id"]

    def get_queryset(self):
        return selectors.certificate_list(reach=self.reach)


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("training/courses", CourseViewSet, basename="course")
    router.register("training/cohorts", CohortViewSet, basename="cohort")
    router.register("training/trainees", TraineeViewSet, basename="trainee")
    router.register("training/enrollments", EnrollmentViewSet, basename="enrollment")
    router.register("training/attendance", AttendanceViewSet, basename="attendance")
    router.register("training/certificates", CertificateViewSet, basename="certificate")
