import pytest
from django.contrib.contenttypes.models import ContentType

from ptce.core import audit, services
from ptce.core.models import ApiToken, AuditEntry, User, hash_token


def test_create_user_logs_in_by_email_and_is_audited(db):
    admin = services.create_user(
        None, email="Admin@Example.org", password="x-strong-pass-9", is_staff=True
    )
    user = services.create_user(admin, email="Marie@Example.ORG", password="x-strong-pass-9")
    assert user.email == "marie@example.org"
    assert user.check_password("x-strong-pass-9")
    entry = AuditEntry.objects.filter(object_id=str(user.pk), verb="create_user").get()
    assert entry.actor == admin
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.changes["email"] == [None, "marie@example.org"]
    assert "password" not in entry.changes


def test_update_user_records_what_changed_from_what_to_what(user, staff):
    services.update_user(staff, user=user, first_name="Camille", last_name="Durand")
    entry = AuditEntry.objects.filter(verb="update_user").get()
    assert entry.changes == {"first_name": ["", "Camille"], "last_name": ["", "Durand"]}
    assert entry.content_type == ContentType.objects.get_for_model(User)
    assert entry.actor == staff


def test_update_user_refuses_unknown_fields(user):
    with pytest.raises(TypeError):
        services.update_user(None, user=user, password="nope")


def test_api_token_is_shown_once_and_stored_hashed(user):
    token, raw = services.create_api_token(user, user=user, name="tableur")
    assert raw.startswith("ptce_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(raw)
    assert raw not in (stored.key_hash, stored.prefix)
    assert raw.startswith(stored.prefix)
    assert services.authenticate_token(raw) == user
    assert services.authenticate_token(raw + "x") is None
    assert services.authenticate_token("not-a-token") is None


def test_revoked_token_and_inactive_user_authenticate_nobody(user):
    token, raw = services.create_api_token(None, user=user, name="a")
    services.revoke_api_token(user, token=token)
    assert services.authenticate_token(raw) is None
    _token2, raw2 = services.create_api_token(None, user=user, name="b")
    services.update_user(None, user=user, is_active=False)
    assert services.authenticate_token(raw2) is None
    assert AuditEntry.objects.filter(verb="revoke_api_token", object_id=str(token.pk)).exists()


def test_diff_lists_only_changed_fields():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}
    assert audit.diff({"a": 1}, {"a": 1}) == {}


def test_create_api_token_command_prints_the_key(user, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("create-api-token", user.email, "--name", "cron")
    raw = capsys.readouterr().out.strip()
    assert services.authenticate_token(raw) == user
    with pytest.raises(CommandError, match="Aucun utilisateur"):
        call_command("create-api-token", "nobody@example.org")
