"""Clarion's one exception tree; the web layer maps it to HTTP in one table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clarion.i18n import Message


class ClarionError(Exception):
    """Base of every error Clarion raises on purpose.

    Args:
        detail: A sentence a person can act on: a :class:`~clarion.i18n.Message` (or several, said one
            after the other) is translated for whoever reads it; a plain string is translated when the
            catalog has it word for word.
        field: The input field at fault, when there is one.

    Attributes:
        detail: The English sentence (logs, command line).
        messages: What to translate at the edge, in order.
    """

    def __init__(self, detail: str | Message | Sequence[str | Message], *, field: str | None = None) -> None:
        parts = [detail] if isinstance(detail, str | Message) else detail
        self.messages: tuple[Message, ...] = tuple(
            part if isinstance(part, Message) else Message(part) for part in parts
        )
        self.detail = " ".join(str(message) for message in self.messages)
        super().__init__(self.detail)
        self.field = field


class NotFound(ClarionError):
    """The thing asked for does not exist (or the caller may not know it exists)."""


class Conflict(ClarionError):
    """The request clashes with the current state, e.g. approving archived content."""


class PermissionDenied(ClarionError):
    """The caller is known but their role or ownership does not allow this."""


class NotAuthenticated(ClarionError):
    """No identity provider recognised the caller."""


class CredentialRefused(NotAuthenticated):
    """A credential nobody issued (forged or garbled token, unknown API token): counted as a guess and throttled."""


class ValidationFailed(ClarionError):
    """Input is well-formed but breaks a rule (text too long, outside a window, …)."""


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row of an uploaded file.

    Attributes:
        line: The line of the file (1 is the header).
        column: The column at fault, when there is one.
        message: What is wrong, in words an admin can act on (a :class:`~clarion.i18n.Message` is
            translated for the reader).
    """

    line: int
    column: str | None
    message: str | Message


class InvalidRows(ValidationFailed):
    """An uploaded file has bad rows; nothing of it was stored.

    Args:
        detail: A sentence summing the problems up.
        problems: Every problem found, in file order.
    """

    def __init__(self, detail: str | Message, problems: list[RowProblem]) -> None:
        super().__init__(detail)
        self.problems = problems


class IdentityProviderUnavailable(ClarionError):
    """The intranet's identity provider, which a plugin signs people in through, is down or answers nonsense."""


class BadRequest(ClarionError):
    """The request itself is malformed: an unknown parameter, a value of the wrong type, a foreign origin."""


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
    """A network connector failed. Connectors raise one of the subclasses below.

    Args:
        detail: What went wrong, in words for the ambassador.
        network: The connector's key.
        retry_after: Seconds to wait before retrying, when the network said so.

    Class attributes:
        retryable: Whether trying the same call again later may succeed.
    """

    retryable = False

    def __init__(self, detail: str | Message, *, network: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.network = network
        self.retry_after = retry_after


class AuthExpired(ConnectorError):
    """The access token expired or was refused; refreshing it once may help."""


class ReconnectNeeded(ConnectorError):
    """The network no longer accepts these credentials; the ambassador must connect again."""


class MissingPermission(ConnectorError):
    """The account or the app lacks a scope or product the call needs."""


class RateLimited(ConnectorError):
    """Too many calls; ``retry_after`` says when to try again if the network told us."""

    retryable = True


class ContentRejected(ConnectorError):
    """The network refused this post (too long, duplicate, too many links, …)."""


class Transient(ConnectorError):
    """A failure before the network acted (5xx, connection refused, timeout before sending)."""

    retryable = True


class DestinationRefused(Transient):
    """An address a person gave is not public (nor allowed), does not resolve or does not answer.

    One sentence for all (no port-scan oracle; :mod:`clarion.outbound`); answered 422, retryable.
    """

    MESSAGE = "Clarion cannot connect to this address: it must be a public server that answers"

    def __init__(self, detail: str = MESSAGE, *, network: str = "", retry_after: float | None = None) -> None:
        super().__init__(detail, network=network, retry_after=retry_after)


class UnknownOutcome(ConnectorError):
    """The request may have reached the network but no answer came back: reconcile, never blindly retry."""


class NotSupported(ConnectorError):
    """The connector cannot do this at all (e.g. publishing to Facebook profiles)."""


__all__ = [
    "AuthExpired",
    "BadRequest",
    "ClarionError",
    "ConfigError",
    "Conflict",
    "ConnectorError",
    "ContentRejected",
    "DatabaseError",
    "DestinationRefused",
    "InvalidRows",
    "MissingPermission",
    "NotAuthenticated",
    "NotFound",
    "NotSupported",
    "PermissionDenied",
    "PluginConflict",
    "PluginError",
    "PluginLoadError",
    "RateLimited",
    "ReconnectNeeded",
    "Transient",
    "UnknownOutcome",
    "ValidationFailed",
]
