"""REST API of import jobs: upload a platform's order export or a product catalogue (multipart;
the request stores the file and enqueues), follow the job's progress, page through its bad
rows. Jobs of merchants out of reach are not found (404)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from jingdezhen.core.api import MAX_COUNT, ReachMixin, plain_choice_field
from jingdezhen.core.platforms import Platform
from orders.api_helpers import acting_merchant
from orders.intake import jobs, selectors
from orders.models import ImportBadRow, ImportJob
from orders.permissions import require_orders_reader


class ImportJobSerializer(serializers.ModelSerializer):
    kind = plain_choice_field(ImportJob.Kind.choices)
    status = plain_choice_field(ImportJob.Status.choices)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "merchant",
            "kind",
            "platform",
            "filename",
            "size",
            "status",
            "repeated",
            "rows_read",
            "rows_imported",
            "rows_already",
            "rows_bad",
            "orders_imported",
            "rows_expected",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "progress",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> dict:
        """percent (0-100), rows_per_second, seconds, seconds_left (null when unknown)."""
        return jobs.job_progress(job)


class ImportUploadSerializer(serializers.Serializer):
    kind = plain_choice_field(ImportJob.Kind.choices)
    platform = plain_choice_field(
        Platform.choices, required=False, allow_blank=True, help_text=_("For orders.")
    )
    file = serializers.FileField(max_length=200, help_text=_("CSV or .xlsx"))
    merchant = serializers.IntegerField(required=False, min_value=1, max_value=MAX_COUNT)


class BadRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBadRow
        fields = ["line", "problem", "raw"]
        read_only_fields = fields


class ImportJobViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Import jobs: POST a file (multipart) to start one; GET it to follow its progress."""

    queryset = ImportJob.objects.none()
    reach_rule = staticmethod(require_orders_reader)
    serializer_class = ImportJobSerializer
    filterset_fields = ["kind", "status"]
    ordering_fields = ["created_at", "id"]
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return selectors.job_list(reach=self.reach)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 200: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Upload a file; 201 with the new job, or 200 with the earlier job of the same file
        (nothing is imported twice). Larger than the stated maximum: 400 naming ``file``."""
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        merchant = acting_merchant(self.reach, data.get("merchant"))
        job = jobs.import_job_create(
            reach=self.reach,
            merchant=merchant,
            kind=data["kind"],
            platform=data.get("platform", ""),
            upload=data["file"],
            actor=request.user,
        )
        code = status.HTTP_200_OK if job.repeated_upload else status.HTTP_201_CREATED
        return Response(ImportJobSerializer(job).data, status=code)

    @extend_schema(responses=BadRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="bad-rows")
    def bad_rows(self, request, pk=None):
        """The job's bad rows in file order, paged."""
        job = self.get_object()
        page = self.paginate_queryset(selectors.bad_rows(job=job))
        return self.get_paginated_response(BadRowSerializer(page, many=True).data)
