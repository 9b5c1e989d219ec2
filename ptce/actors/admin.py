from django.contrib import admin

from ptce.actors.models import Affiliation, Organisation


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "siren", "created_at")
    search_fields = ("name", "siren")
    inlines = (AffiliationInline,)
