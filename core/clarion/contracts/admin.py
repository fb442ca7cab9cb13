"""What an admin page is: a menu entry, the role that may see and use it, and the controllers serving it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ADMIN_PATH = re.compile(r"^/admin(/[a-z0-9][a-z0-9_-]*)+$")
ADMIN_PAGE_ROLES = ("editor", "admin")


@dataclass(frozen=True)
class AdminPage:
    """A section of the editor and admin UI at ``/admin``, brought by a plugin.

    The core mounts the ``controllers`` inside the admin area: every route passes the role guard
    (its own ``opt={"role": ...}`` and the page's ``role``, whichever is higher), the origin check,
    and errors become the admin's HTML error pages (an anonymous ``GET`` goes to sign-in). Forms
    check the admin CSRF token with :func:`clarion.web.admin.kit.checked_form`, pages render inside
    ``admin/layout.html`` with :func:`clarion.web.admin.kit.page`, and
    :class:`clarion.web.admin.kit.Crud` makes the usual list, create and edit pages in one go.

    Attributes:
        path: Where the menu entry links, under ``/admin/`` (``/admin/kudos``); it is marked as the
            current entry on every page whose address starts with it. Unique across plugins.
        label: The menu entry in English; it is translated through Clarion's catalogs.
        role: ``"editor"`` or ``"admin"``: who sees the entry and may use the page.
        controllers: The Litestar controllers, routers or handlers serving the page; every path
            they answer starts with ``/admin/``.
        order: Where the entry goes in the menu (lower first; the core's sections use 10 to 70).
        labels: The label in other languages, by language code (``{"nl": "Complimenten"}``), for a
            label Clarion's catalogs do not hold; it wins over the catalog.
    """

    path: str
    label: str
    role: str = "editor"
    controllers: Sequence[Any] = ()
    order: int = 100
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not ADMIN_PATH.match(self.path):
            raise ValueError(f"admin page path {self.path!r} must be /admin/<name> in lower case")
        if self.role not in ADMIN_PAGE_ROLES:
            raise ValueError(f"admin page {self.path}: role {self.role!r} must be one of {', '.join(ADMIN_PAGE_ROLES)}")
        if not self.label.strip():
            raise ValueError(f"admin page {self.path}: the menu label is empty")
        if not self.controllers:
            raise ValueError(f"admin page {self.path}: name at least one controller that serves it")
