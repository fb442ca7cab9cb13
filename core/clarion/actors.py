"""Who is acting, and the role checks every service applies."""

from __future__ import annotations

from dataclasses import dataclass

from clarion.errors import PermissionDenied
from clarion.models import Ambassador, Role


@dataclass(frozen=True)
class Actor:
    """The ambassador on whose behalf a service runs (resolved from an Identity).

    ``session_id`` names the server-side session the request came with, if any.
    """

    ambassador_id: int
    external_id: str
    role: Role
    via: str = "api"  # the door they came through, for the audit log: admin, api:<identity provider>
    session_id: str | None = None

    @classmethod
    def of(cls, ambassador: Ambassador, via: str = "api", session_id: str | None = None) -> Actor:
        assert ambassador.id is not None
        return cls(ambassador.id, ambassador.external_id, ambassador.role, via, session_id)

    @property
    def is_editor(self) -> bool:
        return self.role.at_least(Role.EDITOR)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require(self, role: Role, action: str) -> None:
        """Raise :class:`PermissionDenied` unless the actor has at least ``role``."""
        if not self.role.at_least(role):
            raise PermissionDenied(f"{action} needs the {role.value} role")
