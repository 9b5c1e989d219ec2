"""Who may read, follow and change a hub's projects (asked by services, views and the API).

- read a project: anyone when it is public on a hub they may see; otherwise the rules of its
  visibility (`permissions.can_read`), and the users of its lead organisation;
- follow it (received amounts, funding statuses, documents): coordination, observers
  (funders), staff, and the users of the lead organisation;
- edit it (project, budget, funding plan, milestones, results, documents): coordination and
  the users of the lead member organisation;
- create projects and strategy axes: coordination.
"""

from __future__ import annotations

from typing import Any

from ptce.core.choices import Role, Visibility
from ptce.poles import permissions
from ptce.projects.models import Document, Project


def leads(user: Any, project: Project) -> bool:
    """Does `user` speak for the project's lead organisation, a current member of the hub?"""
    return bool(
        project.lead_organisation_id
        and project.lead_organisation_id in permissions.member_organisation_ids(user, project.pole)
    )


def can_view(user: Any, project: Project) -> bool:
    pole = project.pole
    if not permissions.can_view_pole(user, pole):
        return False
    if project.visibility == Visibility.PUBLIC or permissions.can_read(
        user, pole, project.visibility
    ):
        return True
    return leads(user, project)


def can_follow(user: Any, project: Project) -> bool:
    pole = project.pole
    if permissions.is_staff(user):
        return True
    roles = permissions.roles_of(user, pole)
    if not roles:
        return False
    if Role.COORDINATOR in roles:
        return True
    if Role.OBSERVER in roles and can_view(user, project):
        return True
    return leads(user, project)


def can_edit(user: Any, project: Project) -> bool:
    return permissions.can_manage_pole(user, project.pole) or (
        permissions.is_member(user, project.pole) and leads(user, project)
    )


def can_create(user: Any, pole: Any) -> bool:
    return permissions.can_manage_pole(user, pole)


def can_download(user: Any, document: Document) -> bool:
    """A document is served to whoever follows its project, and to readers of the project
    when the document itself is public or readable by its visibility."""
    project = document.project
    if not can_view(user, project):
        return False
    if can_follow(user, project):
        return True
    return permissions.can_read(user, project.pole, document.visibility)
