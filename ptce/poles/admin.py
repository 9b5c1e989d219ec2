from django.contrib import admin

from ptce.poles.models import Pole, PoleRole


class PoleRoleInline(admin.TabularInline):
    model = PoleRole
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Pole)
class PoleAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PoleRoleInline,)
