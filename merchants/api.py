"""REST API of merchants: thin viewsets over the same selectors and services the pages use."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jingdezhen.core.api import MAX_COUNT, ReachMixin, plain_choice_field
from jingdezhen.core.platforms import Platform

from . import lifecycle, selectors, services
from .models import (
    ForeignAgent,
    Merchant,
    Milestone,
    PlatformAccount,
    Review,
    StageChange,
    StatusChange,
    TeamMember,
    User,
)


class MerchantSerializer(serializers.ModelSerializer):
    milestone_count = serializers.IntegerField(read_only=True)
    team_size = serializers.IntegerField(read_only=True, allow_null=True)
    last_stream_at = serializers.DateTimeField(read_only=True, allow_null=True)
    streams_run = serializers.IntegerField(read_only=True)
    last_review_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_review_outcome = serializers.CharField(read_only=True, allow_null=True)
    days_in_incubation = serializers.SerializerMethodField()

    class Meta:
        model = Merchant
        fields = [
            "id",
            "base",
            "name",
            "kind",
            "stage",
            "status",
            "description",
            "specialities",
            "store_url",
            "joined_on",
            "incubation_started_on",
            "incubation_ended_on",
            "days_in_incubation",
            "team_size",
            "milestone_count",
            "streams_run",
            "last_stream_at",
            "last_review_at",
            "last_review_outcome",
            "created_at",
        ]
        read_only_fields = fields

    def get_days_in_incubation(self, obj: Merchant) -> int | None:
        return obj.days_in_incubation()


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = ["id", "name", "role", "phone", "is_active", "joined_on", "user"]
        read_only_fields = ["id", "is_active", "joined_on", "user"]


class MilestoneSerializer(serializers.ModelSerializer):
    kind = plain_choice_field(Milestone.Kind.choices, read_only=True)

    class Meta:
        model = Milestone
        fields = ["kind", "reached_at"]


class PlatformAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformAccount
        fields = ["id", "platform", "handle", "url", "followers", "is_active"]
        read_only_fields = ["id", "is_active"]


class ForeignAgentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForeignAgent
        fields = ["id", "name", "city", "country", "contact", "commission_rate", "is_active"]
        read_only_fields = ["id", "is_active"]


class StageChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.StringRelatedField()
    from_stage = plain_choice_field([("", ""), *Merchant.Stage.choices], read_only=True)
    to_stage = plain_choice_field(Merchant.Stage.choices, read_only=True)

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "changed_by", "changed_at", "reason"]


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.StringRelatedField()
    from_status = plain_choice_field([("", ""), *Merchant.Status.choices], read_only=True)
    to_status = plain_choice_field(Merchant.Status.choices, read_only=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.StringRelatedField()

    class Meta:
        model = Review
        fields = ["id", "outcome", "notes", "follow_up_on", "reviewer", "created_at"]
        read_only_fields = ["id", "reviewer", "created_at"]


class MerchantDetailSerializer(MerchantSerializer):
    team = TeamMemberSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    platform_accounts = PlatformAccountSerializer(many=True, read_only=True)
    agents = ForeignAgentSerializer(many=True, read_only=True)
    stage_changes = StageChangeSerializer(many=True, read_only=True)
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="The stage and status actions the lifecycle allows from here."
    )

    class Meta(MerchantSerializer.Meta):
        fields = [
            *MerchantSerializer.Meta.fields,
            "team",
            "milestones",
            "platform_accounts",
            "agents",
            "stage_changes",
            "status_changes",
            "reviews",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, obj: Merchant) -> list[str]:
        return [t.action for t in lifecycle.stage_moves(obj.stage)] + [
            t.action for t in lifecycle.status_moves(obj.status)
        ]


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Merchant.Kind.choices, default=Merchant.Kind.STUDIO)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ProfileSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Merchant.Kind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    specialities = serializers.ListField(child=serializers.CharField(), required=False)
    store_url = serializers.URLField(required=False, allow_blank=True)


class StageMoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Merchant.Stage.choices)
    reason = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class NewReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    notes = serializers.CharField()
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


class NewAccountSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField(max_length=80)
    url = serializers.URLField(required=False, allow_blank=True, default="")
    followers = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, default=0
    )


class MerchantViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Merchants within the caller's reach: the base's for managers and trainers, one's own for a
    merchant member. Managers register applicants, move stages and write reviews; a merchant's
    members (and its base's managers) keep its profile, team, accounts and agents."""

    serializer_class = MerchantSerializer
    filterset_fields = ["stage", "status", "kind"]
    ordering_fields = ["name", "joined_on", "id", "incubation_started_on"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.merchant_overview(
                reach=self.reach, milestone=self.request.query_params.get("milestone", "")
            )
        return selectors.merchant_list(reach=self.reach)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return MerchantDetailSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(kwargs["pk"]))

    def _detail(self, pk) -> dict:
        merchant = selectors.merchant_detail(reach=self.reach, pk=pk, with_summary=True)
        return MerchantDetailSerializer(merchant, context=self.get_serializer_context()).data

    @extend_schema(request=ApplicantSerializer, responses=MerchantDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = self._valid(ApplicantSerializer)
        merchant = services.merchant_create(
            actor=self.reach,
            base=get_object_or_404(selectors.base_list(reach=self.reach), pk=self.reach.base_id),
            created_by=User.objects.filter(pk=self.reach.user_id).first(),
            **data,
        )
        return Response(self._detail(merchant.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProfileSerializer, responses=MerchantDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        merchant = self.get_object()
        data = self._valid(ProfileSerializer)
        services.merchant_profile_update(actor=self.reach, merchant=merchant, **data)
        return Response(self._detail(merchant.pk))

    @extend_schema(request=StageMoveSerializer, responses=MerchantDetailSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """Move the merchant to another stage (managers), with a reason kept in its history."""
        merchant = self.get_object()
        data = self._valid(StageMoveSerializer)
        services.merchant_move(
            actor=self.reach, merchant_id=merchant.pk, to_stage=data["stage"], reason=data["reason"]
        )
        return Response(self._detail(merchant.pk))

    def _status(self, action_name: str) -> Response:
        merchant = self.get_object()
        data = self._valid(ReasonSerializer)
        services.merchant_set_status(
            actor=self.reach, merchant_id=merchant.pk, action=action_name, reason=data["reason"]
        )
        return Response(self._detail(merchant.pk))

    @extend_schema(request=ReasonSerializer, responses=MerchantDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Suspend the merchant (base managers), with a reason kept in its history: it cannot
        book base rooms until it is reinstated."""
        return self._status("suspend")

    @extend_schema(request=ReasonSerializer, responses=MerchantDetailSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        """Lift a suspension (base managers), with a reason kept in its history."""
        return self._status("reinstate")

    @extend_schema(methods=["get"], responses=ReviewSerializer(many=True))
    @extend_schema(methods=["post"], request=NewReviewSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def reviews(self, request, pk=None):
        """The merchant's supervision reviews; managers write new ones."""
        merchant = self.get_object()
        if request.method == "GET":
            rows = selectors.review_list(reach=self.reach, merchant_id=merchant.pk)
            return Response(ReviewSerializer(rows, many=True).data)
        data = self._valid(NewReviewSerializer)
        review = services.review_create(actor=self.reach, merchant=merchant, **data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamMemberSerializer, responses={201: TeamMemberSerializer})
    @action(detail=True, methods=["post"])
    def team(self, request, pk=None):
        merchant = self.get_object()
        data = self._valid(TeamMemberSerializer)
        member = services.team_member_add(actor=self.reach, merchant=merchant, **data)
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NewAccountSerializer, responses={201: PlatformAccountSerializer})
    @action(detail=True, methods=["post"])
    def accounts(self, request, pk=None):
        merchant = self.get_object()
        data = self._valid(NewAccountSerializer)
        account = services.platform_account_add(actor=self.reach, merchant=merchant, **data)
        return Response(PlatformAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ForeignAgentSerializer, responses={201: ForeignAgentSerializer})
    @action(detail=True, methods=["post"])
    def agents(self, request, pk=None):
        merchant = self.get_object()
        data = self._valid(ForeignAgentSerializer)
        agent = services.foreign_agent_add(actor=self.reach, merchant=merchant, **data)
        return Response(ForeignAgentSerializer(agent).data, status=status.HTTP_201_CREATED)

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def register(router) -> None:
    router.register("merchants", MerchantViewSet, basename="merchant")
