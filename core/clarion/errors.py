"""Clarion's one exception tree; the web layer maps it to HTTP in one table."""

from __future__ import annotations


class ClarionError(Exception):
    """Base of every error Clarion raises on purpose.

    Args:
        detail: A sentence a person can act on.
        field: The input field at fault, when there is one.
    """

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(ClarionError):
    """The thing asked for does not exist (or the caller may not know it exists)."""


class Conflict(ClarionError):
    """The request clashes with the current state, e.g. approving archived content."""


class PermissionDenied(ClarionError):
    """The caller is known but their role or ownership does not allow this."""


class NotAuthenticated(ClarionError):
    """No identity provider recognised the caller."""


class ValidationFailed(ClarionError):
    """Input is well-formed but breaks a rule (text too long, outside a window, …)."""


class ConfigError(ClarionError):
    """Settings or ``clarion.toml`` are broken."""


class DatabaseError(ClarionError):
    """The database is unreachable or its schema is not the one this code expects."""


class PluginError(ClarionError):
    """A plugin broke a rule of the plugin system."""


class PluginLoadError(PluginError):
    """A plugin could not be imported or registered."""


class PluginConflict(PluginError):
    """Two plugins claim the same name (a network, a widget, …)."""


class ConnectorError(ClarionError):
    """A network connector failed.

    Args:
        detail: What went wrong, for the ambassador.
        network: The connector's key.
        retryable: Whether trying again later may succeed.
        retry_after: Seconds to wait before retrying, when the network said so.
    """

    def __init__(
        self,
        detail: str,
        *,
        network: str,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.network = network
        self.retryable = retryable
        self.retry_after = retry_after


__all__ = [
    "ClarionError",
    "ConfigError",
    "Conflict",
    "ConnectorError",
    "DatabaseError",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "PluginConflict",
    "PluginError",
    "PluginLoadError",
    "ValidationFailed",
]
