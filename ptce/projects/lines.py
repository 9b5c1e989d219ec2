"""Writes on a project's lines: budget, funding plan, milestones, results and documents.

Every function checks that the acting user may edit the project (None = the system), validates
with a French message keyed by field, runs in a transaction and records an audit entry. Money
is integer cents. Documents are checked (type by extension and first bytes, size) before they
are stored under MEDIA_ROOT; they are served by the pages after a permission check.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.core import audit, i18n
from ptce.core.choices import Visibility
from ptce.core.models import AuditEntry, User
from ptce.projects import cleaning as c
from ptce.projects.models import (
    BudgetCategory,
    BudgetLine,
    Document,
    FundingLine,
    FundingSource,
    FundingStatus,
    Milestone,
    Project,
    PublicLevel,
    Result,
)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The first bytes a file of this type starts with (zip for the office formats).
_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
DOCUMENT_FIELDS = ("title", "filename", "size", "content_type", "visibility", "project_id")


# ------------------------------------------------------------------------------ lines


def _record_line(
    acting_user: User | None,
    obj: models.Model,
    verb: str,
    before: dict[str, Any] | None,
    action: str = AuditEntry.Action.UPDATE,
) -> None:
    audit.record(
        acting_user, verb=verb, obj=obj, before=before, after=_snapshot(obj), action=action
    )


def _snapshot(obj: models.Model) -> dict[str, Any]:
    if isinstance(obj, Document):
        return audit.snapshot(obj, DOCUMENT_FIELDS)
    return audit.snapshot(obj)


def _delete_line(acting_user: User | None, obj: Any, verb: str) -> None:
    c.require_editor(acting_user, obj.project)
    audit.record(
        acting_user,
        verb=verb,
        obj=obj,
        action=AuditEntry.Action.DELETE,
        before=_snapshot(obj),
        after={},
    )
    obj.delete()


# budget


def _clean_budget(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {
        k: v for k, v in values.items() if k in {"label", "category", "amount_cents", "order"}
    }
    errors: dict[str, str] = {}
    c.text(cleaned, errors, "label", _("Le libellé de la dépense"), minimum=2, maximum=200)
    c.choice(cleaned, errors, "category", BudgetCategory.values, _("Catégorie"))
    c.cents(cleaned, errors, "amount_cents", _("Le montant"), positive=True)
    c.raise_errors(errors)
    return cleaned


@transaction.atomic
def add_budget_line(acting_user: User | None, *, project: Project, **values: Any) -> BudgetLine:
    c.require_editor(acting_user, project)
    values.setdefault("label", "")
    values.setdefault("amount_cents", None)
    line = BudgetLine.objects.create(project=project, **_clean_budget(values))
    _record_line(acting_user, line, "add_budget_line", None, AuditEntry.Action.CREATE)
    return line


@transaction.atomic
def update_budget_line(acting_user: User | None, *, line: BudgetLine, **values: Any) -> BudgetLine:
    c.require_editor(acting_user, line.project)
    before = audit.snapshot(line)
    c.apply(line, _clean_budget(values))
    line.save()
    _record_line(acting_user, line, "update_budget_line", before)
    return line


@transaction.atomic
def delete_budget_line(acting_user: User | None, *, line: BudgetLine) -> None:
    _delete_line(acting_user, line, "delete_budget_line")


# funding plan

_FUNDING_FIELDS = {
    "source",
    "funder",
    "public_level",
    "planned_cents",
    "status",
    "received_cents",
    "decided_on",
    "note",
    "order",
}


def _clean_funding(values: dict[str, Any], line: FundingLine | None) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in _FUNDING_FIELDS}
    errors: dict[str, str] = {}
    c.choice(cleaned, errors, "source", FundingSource.values, _("Source de financement"))
    c.text(cleaned, errors, "funder", _("Le nom du financeur"), maximum=200)
    c.text(cleaned, errors, "note", _("La note"), maximum=300)
    if "public_level" in cleaned:
        cleaned["public_level"] = cleaned["public_level"] or ""
        if cleaned["public_level"]:
            c.choice(
                cleaned, errors, "public_level", PublicLevel.values, _("Niveau de collectivité")
            )
    c.choice(cleaned, errors, "status", FundingStatus.values, _("État"))
    c.cents(cleaned, errors, "planned_cents", _("Le montant prévu"), positive=True)
    if "received_cents" in cleaned and cleaned["received_cents"] in (None, ""):
        cleaned["received_cents"] = 0
    c.cents(cleaned, errors, "received_cents", _("Le montant reçu"), positive=False)
    c.day(cleaned, errors, "decided_on")
    c.raise_errors(errors)

    def current(field: str, default: Any) -> Any:
        if field in cleaned:
            return cleaned[field]
        return getattr(line, field) if line is not None else default

    source = current("source", "")
    level = current("public_level", "")
    funder = current("funder", "")
    status = current("status", FundingStatus.REQUESTED)
    planned = current("planned_cents", 0)
    received = current("received_cents", 0)
    if source == FundingSource.PUBLIC_SUBSIDY:
        if not level:
            errors["public_level"] = _(
                "Une subvention publique indique le niveau de la collectivité "
                "(État, Région, Département, EPCI, commune, Union européenne)."
            )
        if not funder:
            errors["funder"] = _("Une subvention publique indique le financeur.")
    elif level:
        if "public_level" in cleaned and values.get("public_level"):
            errors["public_level"] = _(
                "Le niveau de collectivité ne vaut que pour une subvention publique."
            )
        cleaned["public_level"] = ""
    if source == FundingSource.FOUNDATION and not funder:
        errors["funder"] = _("Indiquez le nom de la fondation.")
    if status == FundingStatus.REFUSED and received:
        errors["received_cents"] = _("Un financement refusé ne peut avoir été reçu.")
    elif status == FundingStatus.RECEIVED and not received:
        errors["received_cents"] = _("Indiquez le montant reçu (l’état est « Versé »).")
    elif received > planned:
        errors["received_cents"] = _(
            "Le montant reçu (%(r)s) dépasse le montant prévu (%(p)s) : corrigez le montant prévu."
        ) % {"r": _euros(received), "p": _euros(planned)}
    c.raise_errors(errors)
    return cleaned


def _euros(cents: int) -> str:
    return i18n.euros(cents, True, narrow=True)


@transaction.atomic
def add_funding_line(acting_user: User | None, *, project: Project, **values: Any) -> FundingLine:
    c.require_editor(acting_user, project)
    values.setdefault("source", "")
    values.setdefault("planned_cents", None)
    line = FundingLine.objects.create(project=project, **_clean_funding(values, None))
    _record_line(acting_user, line, "add_funding_line", None, AuditEntry.Action.CREATE)
    return line


@transaction.atomic
def update_funding_line(
    acting_user: User | None, *, line: FundingLine, **values: Any
) -> FundingLine:
    c.require_editor(acting_user, line.project)
    before = audit.snapshot(line)
    c.apply(line, _clean_funding(values, line))
    line.save()
    _record_line(acting_user, line, "update_funding_line", before)
    return line


@transaction.atomic
def delete_funding_line(acting_user: User | None, *, line: FundingLine) -> None:
    _delete_line(acting_user, line, "delete_funding_line")


# milestones


def _clean_milestone(values: dict[str, Any], milestone: Milestone | None) -> dict[str, Any]:
    fields = {"title", "description", "due_on", "done_on", "progress", "done", "order"}
    cleaned = {k: v for k, v in values.items() if k in fields}
    errors: dict[str, str] = {}
    c.text(cleaned, errors, "title", _("L’intitulé du jalon"), minimum=2, maximum=200)
    if "description" in cleaned:
        cleaned["description"] = (cleaned["description"] or "").strip()
    c.day(cleaned, errors, "due_on")
    c.day(cleaned, errors, "done_on")
    if "progress" in cleaned:
        try:
            cleaned["progress"] = int(cleaned["progress"] or 0)
        except (TypeError, ValueError):
            errors["progress"] = _("L’avancement est un pourcentage entier entre 0 et 100.")
        else:
            if not 0 <= cleaned["progress"] <= 100:
                errors["progress"] = _("L’avancement est un pourcentage entre 0 et 100.")
    c.raise_errors(errors)
    done = cleaned.get("done", milestone.done if milestone else False)
    if done:
        cleaned["progress"] = 100
        if not cleaned.get("done_on") and not (milestone and milestone.done_on):
            cleaned["done_on"] = timezone.localdate()
    elif "done" in cleaned:
        cleaned["done_on"] = None
        if cleaned.get("progress", milestone.progress if milestone else 0) == 100:
            errors["progress"] = _(
                "Un jalon à 100 % est atteint : cochez « atteint » ou baissez l’avancement."
            )
    c.raise_errors(errors)
    return cleaned


@transaction.atomic
def add_milestone(acting_user: User | None, *, project: Project, **values: Any) -> Milestone:
    c.require_editor(acting_user, project)
    values.setdefault("title", "")
    cleaned = _clean_milestone(values, None)
    milestone = Milestone.objects.create(project=project, **cleaned)
    _record_line(acting_user, milestone, "add_milestone", None, AuditEntry.Action.CREATE)
    return milestone


@transaction.atomic
def update_milestone(acting_user: User | None, *, milestone: Milestone, **values: Any) -> Milestone:
    c.require_editor(acting_user, milestone.project)
    before = audit.snapshot(milestone)
    c.apply(milestone, _clean_milestone(values, milestone))
    milestone.save()
    _record_line(acting_user, milestone, "update_milestone", before)
    return milestone


@transaction.atomic
def delete_milestone(acting_user: User | None, *, milestone: Milestone) -> None:
    _delete_line(acting_user, milestone, "delete_milestone")


# results


def _clean_result(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {
        k: v for k, v in values.items() if k in {"text", "figure", "unit", "recorded_on", "order"}
    }
    errors: dict[str, str] = {}
    c.text(cleaned, errors, "text", _("Le résultat"), minimum=3, maximum=2000)
    c.text(cleaned, errors, "unit", _("L’unité"), maximum=50)
    if cleaned.get("figure") not in (None, ""):
        try:
            figure = Decimal(str(cleaned["figure"]).replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            errors["figure"] = _("La valeur chiffrée est un nombre (ex. 12,5).")
        else:
            if not figure.is_finite() or abs(figure) >= Decimal(10) ** 12:
                errors["figure"] = _(
                    "La valeur chiffrée est un nombre de moins de mille milliards (ex. 12,5)."
                )
                cleaned["figure"] = None
            else:
                cleaned["figure"] = figure.quantize(Decimal("0.01"))
    elif "figure" in cleaned:
        cleaned["figure"] = None
    c.day(cleaned, errors, "recorded_on")
    c.raise_errors(errors)
    return cleaned


@transaction.atomic
def add_result(acting_user: User | None, *, project: Project, **values: Any) -> Result:
    c.require_editor(acting_user, project)
    values.setdefault("text", "")
    result = Result.objects.create(project=project, **_clean_result(values))
    _record_line(acting_user, result, "add_result", None, AuditEntry.Action.CREATE)
    return result


@transaction.atomic
def update_result(acting_user: User | None, *, result: Result, **values: Any) -> Result:
    c.require_editor(acting_user, result.project)
    before = audit.snapshot(result)
    c.apply(result, _clean_result(values))
    result.save()
    _record_line(acting_user, result, "update_result", before)
    return result


@transaction.atomic
def delete_result(acting_user: User | None, *, result: Result) -> None:
    _delete_line(acting_user, result, "delete_result")


# documents


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """The file's kept name and content type, or a ValidationError on `file`."""
    name = PurePath(upload.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            {
                "file": _("Type de fichier refusé (%(s)s) ; acceptés : %(ok)s.")
                % {"s": suffix or "?", "ok": ", ".join(sorted(DOCUMENT_TYPES))}
            }
        )
    if upload.size is None or upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {"file": _("Le fichier dépasse %(n)s Mo.") % {"n": MAX_DOCUMENT_BYTES // 2**20}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("Le fichier est vide.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    signatures = _SIGNATURES.get(suffix)
    if signatures and not head.startswith(signatures):
        raise ValidationError(
            {
                "file": _("Le contenu du fichier ne correspond pas à son extension (%(s)s).")
                % {"s": suffix}
            }
        )
    if suffix in {".csv", ".txt"} and b"\x00" in head:
        raise ValidationError({"file": _("Un fichier texte ne contient pas de caractère nul.")})
    return name, DOCUMENT_TYPES[suffix]


@transaction.atomic
def add_document(
    acting_user: User | None,
    *,
    project: Project,
    title: str,
    upload: UploadedFile,
    visibility: str = Visibility.MEMBERS,
) -> Document:
    c.require_editor(acting_user, project)
    cleaned: dict[str, Any] = {"title": title, "visibility": visibility}
    errors: dict[str, str] = {}
    c.text(cleaned, errors, "title", _("Le titre du document"), minimum=2, maximum=200)
    c.choice(cleaned, errors, "visibility", Visibility.values, _("Visibilité"))
    try:
        filename, content_type = check_upload(upload)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    c.raise_errors(errors)
    uploader = acting_user if acting_user is not None and acting_user.is_authenticated else None
    document = Document(
        project=project,
        filename=filename,
        size=upload.size or 0,
        content_type=content_type,
        uploaded_by=uploader,
        **cleaned,
    )
    document.file.save(filename, upload, save=False)
    document.save()
    _record_line(acting_user, document, "add_document", None, AuditEntry.Action.CREATE)
    return document


@transaction.atomic
def delete_document(acting_user: User | None, *, document: Document) -> None:
    c.require_editor(acting_user, document.project)
    storage, name = document.file.storage, document.file.name
    _delete_line(acting_user, document, "delete_document")
    transaction.on_commit(lambda: storage.delete(name) if name else None)
