"""Accounts: login (throttled), logout, password reset and change, the account page, API tokens."""

import re

from django.core import mail
from django.urls import reverse

from ptce.actors.models import Affiliation, Organisation
from ptce.core.models import ApiToken, hash_token
from ptce.core.services import authenticate_token, create_api_token
from ptce.poles.services import create_pole, grant_role
from tests.web.html import squash

PASSWORD = "motdepasse-solide-42"


def test_login_page_has_a_labelled_email_field(client, db, parse):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Connexion"]
    (email,) = page.find_all("input", name="username")
    assert email.attrs["type"] == "email"
    assert page.find_all("label", for_=email.attrs["id"])[0].text.startswith("Adresse e-mail")
    (password,) = page.find_all("input", name="password")
    assert page.find_all("label", for_=password.attrs["id"])
    assert page.find_all("a", href=reverse("password_reset"))
    assert (
        "après 5 tentatives infructueuses, la connexion est bloquée pendant 15 minutes"
        in squash(response.text)
    )


def test_login_with_email_then_logout_with_post(client, user):
    response = client.post(
        reverse("login"), {"username": "Camille@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "camille@example.org" in home.text
    assert "Mon compte" in home.text
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("account")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("account")).status_code == 302


def test_login_error_is_shown_in_french_and_the_address_kept(client, user, parse):
    response = client.post(
        reverse("login"), {"username": "camille@example.org", "password": "faux"}
    )
    assert response.status_code == 200
    page = parse(response)
    alert = squash(page.find_all("div", role="alert")[0].text)
    assert alert == "Adresse e-mail ou mot de passe incorrect."
    assert page.find_all("input", name="username")[0].attrs["value"] == "camille@example.org"


def test_login_is_throttled_after_five_failures(client, user, other_user, parse):
    url = reverse("login")
    statuses = [
        client.post(url, {"username": "camille@example.org", "password": f"faux-{i}"}).status_code
        for i in range(5)
    ]
    assert statuses[:4] == [200] * 4
    response = client.post(url, {"username": "camille@example.org", "password": PASSWORD})
    assert response.status_code == 429
    page = parse(response)
    assert page.text_of("h1") == ["Connexion temporairement bloquée"]
    assert "Trop de tentatives de connexion infructueuses." in response.text
    assert "réessayez dans 15 minutes" in response.text
    # Even the right password is refused while locked out.
    assert client.get(reverse("account")).status_code == 302
    # The lock holds for that address and that account, not for everyone behind the address.
    other = client.post(
        url, {"username": "dominique@example.org", "password": "autre-motdepasse-solide-7"}
    )
    assert other.status_code == 302


def test_account_page_requires_login(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('account')}"


def test_account_page_shows_identity_organisations_roles_and_tokens(client, user, staff, parse):
    user.first_name, user.last_name = "Camille", "Martin"
    user.save()
    organisation = Organisation.objects.create(name="Coopérative Archer")
    Affiliation.objects.create(user=user, organisation=organisation, position="Coordinatrice")
    pole = create_pole(staff, name="Pôle Sud", slug="pole-sud")
    grant_role(staff, pole=pole, user=user, role="member")
    create_api_token(user, user=user, name="script d'import")
    client.force_login(user)
    response = client.get(reverse("account"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Mon compte"]
    facts = page.facts()
    assert facts["Adresse e-mail"] == "camille@example.org"
    assert facts["Nom"] == "Camille Martin"
    items = page.text_of("li")
    assert "Coopérative Archer — Coordinatrice" in items
    assert "Pôle Sud Membre" in items
    rows = page.text_of("tr")
    assert len(rows) == 2
    assert "script d'import" in rows[1] and "ptce_" in rows[1] and "jamais" in rows[1]
    assert page.find_all("a", href=reverse("password_change"))


def test_token_creation_shows_the_key_once_and_stores_only_its_hash(client, user, parse):
    client.force_login(user)
    response = client.post(reverse("account_token_create"), {"name": "Tableur du pôle"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = parse(response)
    (field,) = page.find_all("input", id="new-token-key")
    raw = field.attrs["value"]
    assert raw.startswith("ptce_")
    assert "il ne sera plus jamais affiché" in response.text
    token = ApiToken.objects.get(user=user)
    assert token.name == "Tableur du pôle"
    assert token.key_hash == hash_token(raw)
    assert raw not in {token.prefix, token.key_hash, token.name}
    assert raw.startswith(token.prefix)
    assert authenticate_token(raw) == user
    again = client.get(reverse("account"))
    assert raw not in again.text
    assert token.prefix in again.text


def test_token_form_errors_are_shown_next_to_the_field(client, user, parse):
    client.force_login(user)
    response = client.post(reverse("account_token_create"), {"name": "x" * 101})
    assert response.status_code == 400
    page = parse(response)
    (field,) = page.find_all("input", name="name")
    assert field.attrs["value"] == "x" * 101
    assert field.attrs["aria-invalid"] == "true"
    errors = page.by_id("id_name_errors")
    assert "100 caractères" in errors.text
    assert "id_name_errors" in field.attrs["aria-describedby"]
    blank = client.post(reverse("account_token_create"), {"name": "   "})
    assert "Ce champ est obligatoire." in parse(blank).by_id("id_name_errors").text
    assert not ApiToken.objects.exists()


def test_token_creation_requires_login_and_post(client, user):
    response = client.post(reverse("account_token_create"), {"name": "anonyme"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    client.force_login(user)
    assert client.get(reverse("account_token_create")).status_code == 405


def test_user_revokes_own_token(client, user):
    token, raw = create_api_token(user, user=user, name="ancien script")
    client.force_login(user)
    response = client.post(reverse("account_token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "Le jeton « ancien script » est révoqué." in response.text
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate_token(raw) is None
    assert client.get(reverse("account_token_revoke", args=[token.pk])).status_code == 405


def test_user_cannot_revoke_another_users_token(client, user, other_user):
    token, raw = create_api_token(other_user, user=other_user, name="le sien")
    client.force_login(user)
    response = client.post(reverse("account_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert "Aucun de vos jetons ne porte ce numéro." in response.text
    token.refresh_from_db()
    assert token.revoked_at is None
    assert authenticate_token(raw) == other_user


def test_account_page_runs_a_bounded_number_of_queries(client, user, django_assert_max_num_queries):
    for i in range(5):
        create_api_token(user, user=user, name=f"jeton {i}")
    client.force_login(user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("account"))
    assert response.text.count("Révoquer") == 5


def test_password_reset_flow_in_french(client, user, parse):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert parse(response).text_of("h1") == ["Mot de passe oublié"]
    response = client.post(reverse("password_reset"), {"email": "camille@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    done = client.get(response["Location"])
    assert "un message vient de lui être envoyé" in done.text
    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject.startswith("Réinitialisation de votre mot de passe")
    assert "Vous avez demandé à choisir un nouveau mot de passe" in message.body
    link = re.search(r"http://testserver(/comptes/mot-de-passe/reinitialiser/\S+/)", message.body)
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert parse(form).text_of("h1") == ["Nouveau mot de passe"]
    new_password = "un-nouveau-motdepasse-solide-43"
    submit_url = form.redirect_chain[-1][0]
    response = client.post(
        submit_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert "Votre nouveau mot de passe est enregistré." in client.get(response["Location"]).text
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_with_a_bad_link_says_so(client, db):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "faux-jeton"})
    )
    assert response.status_code == 200
    assert "Ce lien n’est pas valable" in response.text


def test_password_change(client, user, parse):
    client.force_login(user)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert parse(response).text_of("h1") == ["Changer de mot de passe"]
    bad = client.post(
        reverse("password_change"),
        {"old_password": "faux", "new_password1": "court", "new_password2": "court"},
    )
    assert bad.status_code == 200
    assert (
        "Votre ancien mot de passe est incorrect."
        in parse(bad).by_id("id_old_password_errors").text
    )
    new_password = "encore-un-motdepasse-solide-44"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(response["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_staff_sees_the_administration_link(client, user, staff, parse):
    client.force_login(user)
    assert not parse(client.get(reverse("home"))).find_all("a", href=reverse("admin:index"))
    client.force_login(staff)
    links = parse(client.get(reverse("home"))).find_all("a", href=reverse("admin:index"))
    assert [link.text for link in links] == ["Administration"]
