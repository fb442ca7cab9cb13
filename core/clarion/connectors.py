"""What a network connector is: its key, text rules, share-intent link and capabilities."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar


class Capability(StrEnum):
    """What a connector can do beyond building a share-intent link."""

    INTENT = "intent"
    API_PUBLISH = "api_publish"
    METRICS = "metrics"
    DELETE = "delete"


@dataclass(frozen=True)
class TextCheck:
    """The verdict of a connector's text rules on one post.

    Attributes:
        length: The length as the network counts it.
        limit: The network's limit, or ``None`` when it has none worth enforcing.
        problems: Sentences explaining why the post would be refused; empty when it fits.
    """

    length: int
    limit: int | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SharePost:
    """The post an ambassador is about to send, as a connector sees it.

    Attributes:
        text: The ambassador's own words, without the link.
        link: The ambassador's tracked link (never the raw content URL).
        title: The content's title, for networks that take a subject.
        hashtags: Campaign hashtags without ``#``.
        account_handle: The ambassador's handle on this network, when connected.
    """

    text: str
    link: str
    title: str = ""
    hashtags: tuple[str, ...] = field(default=())
    account_handle: str | None = None

    @property
    def body(self) -> str:
        """Text and link as most networks show them."""
        return f"{self.text} {self.link}".strip() if self.text else self.link


class Connector(ABC):
    """Base class for a network connector. Subclass it and return an instance from
    :func:`clarion.hookspecs.clarion_connectors_register`.

    Class attributes:
        key: The stable network key stored on shares (``"linkedin"``). Unique across plugins.
        label: The name shown to people (``"LinkedIn"``).
        capabilities: What the connector supports; every connector supports
            :attr:`Capability.INTENT`.
    """

    key: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.INTENT})

    @abstractmethod
    def check_text(self, post: SharePost) -> TextCheck:
        """Count ``post`` the way the network does and say whether it fits."""

    @abstractmethod
    def share_intent_url(self, post: SharePost) -> str:
        """The URL that opens the network's composer pre-filled with ``post``."""

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities


def length_check(length: int, limit: int | None, *, label: str) -> TextCheck:
    """A :class:`TextCheck` for networks whose only rule is a maximum length."""
    problems: tuple[str, ...] = ()
    if limit is not None and length > limit:
        problems = (f"{label} allows {limit} characters; this post counts {length}.",)
    return TextCheck(length=length, limit=limit, problems=problems)
