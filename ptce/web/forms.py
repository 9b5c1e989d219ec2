"""Forms of the pages: they parse and validate input; services do the writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, with an e-mail field (users sign in with their address)."""

    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = _("Adresse e-mail")
        field.widget.input_type = "email"
        field.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def clean_username(self) -> str:
        # Addresses are stored in lower case (see core.UserManager).
        return str(self.cleaned_data.get("username") or "").strip().lower()

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            # The address is passed under both names: django-axes reads the credentials by
            # AXES_USERNAME_FORM_FIELD, which defaults to USERNAME_FIELD ("email") while
            # Django's form says "username". Failures and lockout checks then agree on who
            # is trying, whichever name the setting holds.
            self.user_cache = authenticate(
                self.request, username=username, email=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Commune, code postal ou code INSEE"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("ex. Romans-sur-Isère, 26100, 26281"),
            }
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Pour vous souvenir de son usage, par exemple « script d'import »."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Donnez un nom au jeton."))
        return name
