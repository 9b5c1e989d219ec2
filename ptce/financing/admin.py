"""Read-only admin of campaigns and subscriptions: every change goes through the services
(rules, cap, audit), so the admin only shows."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ptce.financing.models import Campaign, Subscription


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ("title", "pole", "instrument", "state", "target_cents", "opens_at")
    list_filter = ("state", "instrument", "is_demo")
    search_fields = ("title", "pole__name")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ("public_id", "campaign", "amount_cents", "payment_status", "is_local")
    list_filter = ("payment_status", "is_local")
    search_fields = ("public_id", "campaign__title")
    list_select_related = ("campaign",)
