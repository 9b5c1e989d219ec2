from django.contrib import admin

from ptce.projects.models import Project, StrategyAxis


@admin.register(StrategyAxis)
class StrategyAxisAdmin(admin.ModelAdmin):
    list_display = ("title", "pole", "order")
    list_select_related = ("pole",)
    search_fields = ("title", "pole__name")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "pole", "status", "visibility", "updated_at")
    list_select_related = ("pole",)
    list_filter = ("status", "visibility")
    search_fields = ("title", "slug", "pole__name")
    readonly_fields = ("created_at", "updated_at")
    raw_id_fields = ("pole", "axis", "lead_organisation", "perimeter", "created_by")
