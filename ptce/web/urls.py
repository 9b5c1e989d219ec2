"""The pages: home, territory reference, accounts (Django's auth views with our templates).

Auth templates live under `accounts/` rather than `registration/`: django.contrib.admin comes
first in INSTALLED_APPS and ships its own `registration/password_*.html`, which would win.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from ptce.web import (
    urls_cooperation,
    urls_directory,
    urls_employees,
    urls_financing,
    urls_poles,
    urls_pooling,
    urls_projects,
)
from ptce.web.views import accounts, pages, territories

territory_patterns = [
    path("", territories.search, name="search"),
    path("departements/<str:code>/", territories.departement, name="departement"),
    path("communes/<str:code_insee>/", territories.commune, name="commune"),
    path("epci/<str:code>/", territories.epci, name="epci"),
]

account_patterns = [
    path("", accounts.account, name="account"),
    path("jetons/", accounts.create_token, name="account_token_create"),
    path("jetons/<int:pk>/revoquer/", accounts.revoke_token, name="account_token_revoke"),
    path("connexion/", accounts.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("territoires/", include((territory_patterns, "territories"))),
    path("annuaire/", include((urls_directory.urlpatterns, "directory"))),
    path("observatoire/", include((urls_poles.observatory_patterns, "observatory"))),
    path("espace/", include((urls_poles.workspace_patterns, "workspace"))),
    path("invitations/", include(urls_poles.invitation_patterns)),
    path("", include((urls_cooperation.urlpatterns, "cooperation"))),
    path("", include((urls_pooling.urlpatterns, "pooling"))),
    path("", include((urls_employees.urlpatterns, "employees"))),
    path("", include((urls_projects.urlpatterns, "projects"))),
    path("", include((urls_financing.urlpatterns, "financing"))),
    path("comptes/", include(account_patterns)),
]
