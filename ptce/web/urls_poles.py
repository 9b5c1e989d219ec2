"""Pages of the hubs: public observatory (namespace "observatory"), the coordinator
workspace (namespace "workspace"), and the invitation links (`invitation_patterns`, mounted
at `/invitations/` without a namespace: `invitation_accept`)."""

from django.urls import path

from ptce.web.views import observatory, workspace, workspace_people

observatory_patterns = [
    path("", observatory.index, name="index"),
    path("carte.json", observatory.map_data, name="map_data"),
    path("statistiques/", observatory.stats, name="stats"),
    path("donnees/poles.schema.json", observatory.schema, name="schema"),
    path("poles/<slug:slug>/", observatory.pole, name="pole"),
]

workspace_patterns = [
    path("", workspace.index, name="index"),
    path("nouveau/", workspace.create, name="create"),
    path("communes/", workspace.commune_search, name="commune_search"),
    path("poles/<slug:slug>/", workspace.pole, name="pole"),
    path("poles/<slug:slug>/identite/", workspace.edit, name="edit"),
    path("poles/<slug:slug>/perimetre/", workspace.perimeter, name="perimeter"),
    path("poles/<slug:slug>/caracterisation/", workspace.characterisation, name="characterisation"),
    path("poles/<slug:slug>/membres/", workspace.members, name="members"),
    path("poles/<slug:slug>/membres/recherche/", workspace.member_search, name="member_search"),
    path("poles/<slug:slug>/membres/import/", workspace.member_import, name="member_import"),
    path(
        "poles/<slug:slug>/membres/<int:membership_id>/fin/",
        workspace.member_end,
        name="member_end",
    ),
    path("poles/<slug:slug>/colleges/", workspace.colleges, name="colleges"),
    path("poles/<slug:slug>/personnes/", workspace_people.people, name="people"),
    path("poles/<slug:slug>/invitations/", workspace_people.invite, name="invite"),
]

invitation_patterns = [
    path("<str:token>/", workspace_people.invitation_accept, name="invitation_accept"),
]
