from django.contrib import admin

from ptce.actors.models import Affiliation, Contact, Establishment, Organisation


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ("user",)


class EstablishmentInline(admin.TabularInline):
    model = Establishment
    extra = 0
    fields = ("siret", "name", "code_commune", "siege", "active", "precision")
    readonly_fields = ("precision",)
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "siren", "actor_type", "ess_family", "naf", "active", "source")
    list_filter = ("actor_type", "ess_family", "active", "source", "visibility")
    search_fields = ("name", "siren", "acronym")
    readonly_fields = ("search_text", "created_at", "updated_at", "classification_reason")
    inlines = (EstablishmentInline, AffiliationInline)


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ("siret", "name", "organisation", "code_commune", "siege", "active")
    list_filter = ("active", "siege", "precision", "source")
    list_select_related = ("organisation",)
    search_fields = ("siret", "name", "organisation__name")
    raw_id_fields = ("organisation", "commune")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "organisation", "role", "consent_given_at")
    list_select_related = ("organisation",)
    search_fields = ("last_name", "first_name", "email", "organisation__name")
    raw_id_fields = ("organisation",)
