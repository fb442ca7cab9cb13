"""The contract every connector keeps, as checks a plugin author runs from their own tests.

A company shipping a connector checks it the way Clarion checks its built-ins, in one line::

    from clarion.testing.connector_checks import check_connector_contract

    def test_my_connector_keeps_the_contract():
        check_connector_contract(MyConnector())

Each check is also available by name in :data:`CONTRACT_CHECKS`, for a parametrised test that
reports every broken rule separately.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from clarion.connectors import AuthKind, Capability, Connector, SharePost, TextCheck
from clarion.i18n import Message

TRACKED_LINK = "https://go.clarion.example/r/Ab3dEf6hJk?via=contract&n=1"
"""The tracked link the checks share; its ``?`` and ``&`` catch a connector that does not encode it."""

RAW_URL = "https://example.com/raw-article?utm=internal&id=42"
"""A content URL that is not the tracked link, passed as the title: it must never replace the link."""

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SHORT_POST = SharePost(text="Proud of our launch", link=TRACKED_LINK, title="Our launch")
VERY_LONG_TEXT_MINIMUM = 100_000

ContractCheck = Callable[[Connector], None]


class ContractViolation(AssertionError):
    """A connector broke one or more rules of the contract; the message lists them all."""


def _require(condition: bool, message: str) -> None:
    # An explicit raise, not ``assert``: the contract must hold under ``python -O`` too.
    if not condition:
        raise AssertionError(message)


def _name(connector: Connector) -> str:
    return f"{type(connector).__name__} ({getattr(connector, 'key', '?')!r})"


def _intent_values(url: str) -> list[str]:
    """The decoded values an intent URL hands to the network: query parameters or mailto fields."""
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        # RFC 6068 fields are percent-encoded; a + is a plus sign, not a space.
        return [unquote(value) for _, _, value in (field.partition("=") for field in parts.query.split("&"))]
    return [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]


def _checked_text(connector: Connector, post: SharePost) -> TextCheck:
    verdict = connector.check_text(post)
    _require(isinstance(verdict, TextCheck), f"check_text must return a TextCheck, not {type(verdict).__name__}")
    _require(
        isinstance(verdict.length, int) and verdict.length >= 0,
        f"check_text must give a non-negative length, not {verdict.length!r}",
    )
    _require(
        verdict.limit is None or (isinstance(verdict.limit, int) and verdict.limit > 0),
        f"check_text must give a positive limit or None, not {verdict.limit!r}",
    )
    _require(
        all(isinstance(problem, str | Message) and str(problem).strip() for problem in verdict.problems),
        f"check_text problems must be sentences, not {verdict.problems!r}",
    )
    return verdict


def _checked_intent(connector: Connector, post: SharePost) -> str:
    url = connector.share_intent_url(post)
    _require(isinstance(url, str), f"share_intent_url must return a str, not {type(url).__name__}")
    parts = urlsplit(url)
    _require(
        (parts.scheme == "https" and bool(parts.netloc)) or parts.scheme == "mailto",
        f"share_intent_url must return an absolute https:// (or mailto:) URL, not {url!r}",
    )
    _require(not any(character.isspace() for character in url), f"the intent URL is not encoded: {url!r}")
    _require(
        any(post.link in value for value in _intent_values(url)),
        f"the intent URL must carry the tracked link {post.link!r} in a query parameter "
        f"(or the mailto body), decoded intact; got {url!r}",
    )
    return url


def check_key(connector: Connector) -> None:
    """The key is a lower-case slug such as ``linkedin`` or ``viva-engage``."""
    key = getattr(connector, "key", None)
    _require(
        isinstance(key, str) and bool(KEY_PATTERN.match(key)),
        f"key must be a lower-case slug (letters, digits, - or _), not {key!r}",
    )


def check_label(connector: Connector) -> None:
    """The label shown to people is a non-empty string."""
    label = getattr(connector, "label", None)
    _require(isinstance(label, str) and bool(label.strip()), f"label must be a non-empty string, not {label!r}")


def check_intent_capability(connector: Connector) -> None:
    """Every connector can build a share intent, so :attr:`Capability.INTENT` is declared."""
    capabilities = connector.capabilities
    _require(
        isinstance(capabilities, frozenset) and all(isinstance(item, Capability) for item in capabilities),
        f"capabilities must be a frozenset of Capability, not {capabilities!r}",
    )
    _require(Capability.INTENT in capabilities, "capabilities must include Capability.INTENT")


def check_short_post_fits(connector: Connector) -> None:
    """A short post is counted (non-negative length) and accepted."""
    verdict = _checked_text(connector, SHORT_POST)
    _require(verdict.ok, f"a short post must fit, but check_text says {verdict.problems!r}")


def check_very_long_post_refused(connector: Connector) -> None:
    """When the connector states a limit, a post far beyond it (text and title) is refused."""
    limit = _checked_text(connector, SHORT_POST).limit
    if limit is None:
        return
    long_text = "a" * max(2 * limit + 1, VERY_LONG_TEXT_MINIMUM)
    verdict = _checked_text(connector, SharePost(text=long_text, link=TRACKED_LINK, title=long_text))
    _require(
        not verdict.ok,
        f"check_text states a limit of {limit} but accepts a post of {len(long_text)} characters",
    )


def check_intent_carries_tracked_link(connector: Connector) -> None:
    """The intent URL is absolute https (or mailto) and carries the tracked link, correctly encoded."""
    _checked_intent(connector, SHORT_POST)


def check_intent_never_leaks_raw_url(connector: Connector) -> None:
    """A raw content URL given as the title never stands in for the tracked link.

    It may appear only in a field that passes the title through unchanged (a subject or a
    Reddit title); anywhere else the connector mixed it into the text or the link.
    """
    post = SharePost(text="Read this", link=TRACKED_LINK, title=RAW_URL)
    url = _checked_intent(connector, post)
    _require(RAW_URL not in unquote(urlsplit(url).path), f"the raw URL is in the intent's path: {url!r}")
    leaks = [value for value in _intent_values(url) if RAW_URL in value and value != post.title]
    _require(not leaks, f"the raw content URL {RAW_URL!r} must not replace or join the tracked link: {leaks!r}")


def check_empty_text(connector: Connector) -> None:
    """A post without the ambassador's own words still gives a count and an intent with the link."""
    post = SharePost(text="", link=TRACKED_LINK, title="Our launch")
    _checked_text(connector, post)
    _checked_intent(connector, post)


def check_unicode_text(connector: Connector) -> None:
    """Accents, CJK, emoji sequences, flags and line breaks are counted and encoded without error."""
    post = SharePost(
        text="Trots op één lancering 🎉 — 日本語と한국어 👩‍💻👍🏽🇳🇱\nTweede regel & meer? #ja",
        link=TRACKED_LINK,
        title="Één titel ✨",
    )
    verdict = _checked_text(connector, post)
    _require(verdict.ok, f"a short unicode post must fit, but check_text says {verdict.problems!r}")
    _checked_intent(connector, post)


def check_hashtags(connector: Connector) -> None:
    """Campaign hashtags neither break the count nor push the tracked link out of the intent."""
    post = SharePost(text="Proud of our launch", link=TRACKED_LINK, title="Our launch", hashtags=("launch", "Werk"))
    verdict = _checked_text(connector, post)
    _require(verdict.ok, f"a short post with two hashtags must fit, but check_text says {verdict.problems!r}")
    _checked_intent(connector, post)


_METHODS_FOR_CAPABILITY: dict[Capability, tuple[str, ...]] = {
    Capability.API_PUBLISH: ("publish",),
    Capability.METRICS: ("fetch_metrics",),
    Capability.DELETE: ("delete_post",),
}
_METHODS_FOR_AUTH: dict[AuthKind, tuple[str, ...]] = {
    AuthKind.OAUTH2: ("start_connect", "finish_connect"),
    AuthKind.APP_PASSWORD: ("connect_with_password",),
}


def check_capabilities_implemented(connector: Connector) -> None:
    """Each declared capability and auth kind comes with its methods overridden.

    ``API_PUBLISH`` needs :meth:`~clarion.connectors.Connector.publish`, ``METRICS``
    ``fetch_metrics``, ``DELETE`` ``delete_post``; ``AuthKind.OAUTH2`` needs ``start_connect`` and
    ``finish_connect``, ``AuthKind.APP_PASSWORD`` ``connect_with_password``.
    """
    required = [
        method for capability in connector.capabilities for method in _METHODS_FOR_CAPABILITY.get(capability, ())
    ]
    required += _METHODS_FOR_AUTH.get(connector.auth_kind, ())
    missing = [method for method in required if getattr(type(connector), method) is getattr(Connector, method)]
    _require(
        not missing,
        f"declared capabilities {sorted(connector.capabilities)} and auth kind {connector.auth_kind!s} "
        f"need these methods overridden: {', '.join(missing)}",
    )


CONTRACT_CHECKS: tuple[tuple[str, ContractCheck], ...] = (
    ("key", check_key),
    ("label", check_label),
    ("intent_capability", check_intent_capability),
    ("short_post_fits", check_short_post_fits),
    ("very_long_post_refused", check_very_long_post_refused),
    ("intent_carries_tracked_link", check_intent_carries_tracked_link),
    ("intent_never_leaks_raw_url", check_intent_never_leaks_raw_url),
    ("empty_text", check_empty_text),
    ("unicode_text", check_unicode_text),
    ("hashtags", check_hashtags),
    ("capabilities_implemented", check_capabilities_implemented),
)
"""Every check of the contract by name; each raises :class:`AssertionError` when broken.

Example::

    @pytest.mark.parametrize(("name", "check"), CONTRACT_CHECKS, ids=[name for name, _ in CONTRACT_CHECKS])
    def test_contract(name, check):
        check(MyConnector())
"""


def contract_violations(connector: Connector) -> list[str]:
    """Run every check of the contract and describe the ones ``connector`` breaks.

    Args:
        connector: The connector instance, as its plugin returns it from
            ``clarion_connectors_register``.

    Returns:
        One ``"<check name>: <what is wrong>"`` line per broken check; empty when it keeps the
        contract. A check that crashes counts as broken, with the exception named.
    """
    violations: list[str] = []
    for name, check in CONTRACT_CHECKS:
        try:
            check(connector)
        except AssertionError as exc:
            violations.append(f"{name}: {exc}")
        except Exception as exc:  # a connector crashing on a valid post breaks the contract too
            violations.append(f"{name}: raised {type(exc).__name__}: {exc}")
    return violations


def check_connector_contract(connector: Connector) -> None:
    """Check that ``connector`` keeps the contract every Clarion connector keeps.

    Args:
        connector: The connector instance to check.

    Raises:
        ContractViolation: An :class:`AssertionError` listing every broken check, so one run
            shows all that needs fixing.

    Example::

        def test_my_connector_keeps_the_contract():
            check_connector_contract(MyConnector())
    """
    violations = contract_violations(connector)
    if violations:
        lines = "\n".join(f"  - {violation}" for violation in violations)
        raise ContractViolation(f"{_name(connector)} breaks the connector contract:\n{lines}")


__all__ = [
    "CONTRACT_CHECKS",
    "RAW_URL",
    "TRACKED_LINK",
    "ContractViolation",
    "check_connector_contract",
    "contract_violations",
]
