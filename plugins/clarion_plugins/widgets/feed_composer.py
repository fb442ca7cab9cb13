"""The feed's composer: the texts to pick from for a network and the post as that network will count it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.connectors import Capability, Connector, SharePost
from clarion.content.content import get_content_row
from clarion.content.eligibility import shareable_query
from clarion.errors import NotFound
from clarion.i18n import language_of, localise, translations
from clarion.models import Ambassador, Campaign, Content, EditPolicy, NetworkAccount, ShareText
from clarion.shares.link_codes import CODE_LENGTH
from clarion.shares.sharing import tracked_url

# Stands in for the code of the tracked link, which is only drawn when the share is made.
LINK_PLACEHOLDER = "•" * CODE_LENGTH


def text_variants(content: Content, texts_by_network: dict[str, list[str]], network: str) -> list[str]:
    """The texts offered for ``network``: the editor's for it, else the item's general text.

    The general text is the title (what a share without text sends, and what the edit-policy
    guardrail measures against); content free to edit also offers the texts written for other networks.
    """
    own = texts_by_network.get(network) or []
    if own:
        return list(dict.fromkeys(own))
    variants = [content.title]
    if content.edit_policy is EditPolicy.FREE:
        variants += [text for texts in texts_by_network.values() for text in texts]
    return list(dict.fromkeys(variants))


@dataclass(frozen=True)
class Composed:
    network: str
    label: str
    variants: list[str]
    text: str
    post: str
    link: str
    length: int
    limit: int | None
    problems: tuple[str, ...]
    locked: bool
    can_publish: bool
    can_open: bool


def compose(
    engine, session: Session, actor: Actor, content_id: int, connector: Connector, text: str | None
) -> Composed:
    """The post ``actor`` would send of ``content_id`` on ``connector``'s network, checked by its rules.

    Raises:
        NotFound: content that is not open to the actor to share.
    """
    ambassador = session.get(Ambassador, actor.ambassador_id)
    content = get_content_row(session, actor, content_id)
    if (
        ambassador is None
        or session.exec(shareable_query(ambassador, engine.clock.now()).where(Content.id == content_id)).first() is None
    ):
        raise NotFound(f"content {content_id} not found")
    texts: dict[str, list[str]] = {}
    for row in session.exec(
        select(ShareText)
        .where(ShareText.content_id == content_id)
        .order_by(col(ShareText.network), col(ShareText.position), col(ShareText.id))
    ):
        if row.network in engine.connectors():
            texts.setdefault(row.network, []).append(row.text)
    variants = text_variants(content, texts, connector.key)
    chosen = (text if text is not None else variants[0]).strip()
    account = session.exec(
        select(NetworkAccount)
        .where(NetworkAccount.ambassador_id == actor.ambassador_id, NetworkAccount.network == connector.key)
        .order_by(col(NetworkAccount.id))
    ).first()
    campaign = session.get(Campaign, content.campaign_id) if content.campaign_id else None
    link = tracked_url(engine, LINK_PLACEHOLDER)
    post = SharePost(
        text=chosen,
        link=link,
        title=content.title,
        hashtags=tuple(campaign.hashtags) if campaign else (),
        account_handle=account.handle if account else None,
        account_instance=account.instance if account else None,
    )
    check = connector.check_text(post)
    hashtags = " ".join(f"#{tag}" for tag in post.hashtags)
    return Composed(
        network=connector.key,
        label=connector.label,
        variants=variants,
        text=chosen,
        post=f"{post.body} {hashtags}".strip() if hashtags and hashtags not in post.body else post.body,
        link=link,
        length=check.length,
        limit=check.limit,
        problems=tuple(localise(problem, translations(language_of(ambassador.locale))) for problem in check.problems),
        locked=content.edit_policy is EditPolicy.LOCKED,
        can_publish=connector.supports(Capability.API_PUBLISH)
        and account is not None
        and account.credentials_encrypted is not None,
        can_open=connector.supports(Capability.INTENT),
    )
