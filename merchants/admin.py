from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Base, Merchant, TeamMember, User


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
