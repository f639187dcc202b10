from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import (
    Base,
    ForeignAgent,
    Invitation,
    Merchant,
    Milestone,
    Notification,
    PlatformAccount,
    Review,
    StageChange,
    TeamMember,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Base", {"fields": ("role", "base", "display_name")}))
    list_display = ["username", "display_name", "role", "base", "is_active"]
    list_filter = ["role", "base", "is_active"]


@admin.register(Base)
class BaseAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "opened_on"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "base", "kind", "stage", "status", "joined_on"]
    list_filter = ["base", "stage", "status", "kind"]
    search_fields = ["name"]
    inlines = [TeamMemberInline]
    # Stages move through the services (merchants.services), which keep the history.
    readonly_fields = ["stage", "incubation_started_on", "incubation_ended_on"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["merchant", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage"]
    raw_id_fields = ["merchant", "changed_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the history is kept as it happened


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["merchant", "kind", "reached_at"]
    list_filter = ["kind"]
    raw_id_fields = ["merchant"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["merchant", "outcome", "reviewer", "created_at", "follow_up_on"]
    list_filter = ["outcome"]
    raw_id_fields = ["merchant", "reviewer"]


@admin.register(PlatformAccount)
class PlatformAccountAdmin(admin.ModelAdmin):
    list_display = ["merchant", "platform", "handle", "followers", "is_active"]
    list_filter = ["platform"]
    raw_id_fields = ["merchant"]


@admin.register(ForeignAgent)
class ForeignAgentAdmin(admin.ModelAdmin):
    list_display = ["merchant", "name", "city", "country", "commission_rate"]
    raw_id_fields = ["merchant"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made by merchants.invitations (the link exists only there)."""

    list_display = ["email", "name", "kind", "member_role", "base", "merchant", "expires_at"]
    list_filter = ["kind", "base"]
    search_fields = ["email", "name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "merchant", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "base", "merchant"]
