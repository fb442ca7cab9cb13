"""Every extension point of Clarion, each documented with its contract and an example.

Hooks are named ``clarion_<noun>_<verb>`` with a short list of verbs:

``register``
    returns things, called once when the engine is built;
``compute``
    returns a value, called whenever the engine needs it;
``on_<event>``
    a notification; return values are ignored and errors are logged, never raised.

Rules that hold for every hook:

* Every hook receives ``engine`` (a :class:`clarion.engine.Engine`); implementations may leave
  out any argument they do not use, as pluggy allows. Hooks evolve only by gaining arguments.
* Hooks are synchronous. Clarion calls them from worker threads, so blocking I/O in an
  implementation does not stall the web server's event loop.
* ``firstresult`` hooks answer "who owns this?" questions only; aggregating hooks (scores,
  violations) collect every plugin's answer.
* Built-in implementations are ordinary plugins (``clarion_plugins``); a plugin that wants to
  replace one blocks it by name (``CLARION_DISABLED_PLUGINS``) or answers first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from litestar.types import ControllerRouterHandler
    from sqlmodel import Session

    from clarion.badges import Badge
    from clarion.connectors import Connector
    from clarion.contracts import Job, Schema
    from clarion.emv import EmvModel
    from clarion.engine import Engine
    from clarion.events import RecordedEvent
    from clarion.guardrails import ShareDraft, Violation
    from clarion.identity import Identity, RequestInfo
    from clarion.scoring import Award
    from clarion.widgets import Widget

hookspec = pluggy.HookspecMarker("clarion")


@hookspec
def clarion_config_register(engine: Engine) -> type[Any] | None:
    """Declare the settings a plugin accepts in its ``[plugins.<name>]`` section.

    Called once per plugin while the engine is built, before any other hook. Clarion
    validates the plugin's section of ``clarion.toml`` against the returned class
    (after resolving ``{ "$env" = "NAME" }`` secret references) and start-up stops with a
    message naming the plugin and the field when it does not validate. A plugin without
    this hook accepts no settings, and a section for it is an error.

    Args:
        engine: The engine being built; only ``engine.settings`` is ready.

    Returns:
        A pydantic model class whose fields all have defaults, or ``None``.

    Example::

        class Settings(pydantic.BaseModel):
            instance: str = "https://mastodon.social"

        @hookimpl
        def clarion_config_register():
            return Settings

    The validated object is then ``engine.plugin_config("my-plugin")``.
    """


@hookspec
def clarion_connectors_register(engine: Engine) -> Sequence[Connector] | None:
    """Contribute network connectors.

    Called once while the engine is built. Every connector's ``key`` must be unique across
    all plugins: two connectors for one network stop start-up with an error naming both
    plugins. The core knows networks only through this hook.

    Args:
        engine: The engine being built; ``engine.plugin_config(name)`` is ready.

    Returns:
        A sequence of :class:`clarion.connectors.Connector` instances (or ``None``).

    Example::

        class Yammer(Connector):
            key, label = "yammer", "Viva Engage"
            def check_text(self, post):
                return length_check(len(post.body), 10_000, label=self.label)
            def share_intent_url(self, post):
                return "https://engage.example/share?" + urlencode({"u": post.link})

        @hookimpl
        def clarion_connectors_register():
            return [Yammer()]
    """


@hookspec
def clarion_emv_models_register(engine: Engine) -> Sequence[EmvModel] | None:
    """Contribute earned-media-value models.

    Called once while the engine is built. Every model's ``key`` must be unique across
    plugins: two models with one key stop start-up with an error naming both plugins.
    Every analytics report values its period with every model and shows each answer with
    the model's name, rates and currency, because vendors disagree on EMV and a figure
    without its formula cannot be compared. Clarion ships three (``cpc``, ``cpm``,
    ``interactions``); block one by plugin name to remove it.

    Args:
        engine: The engine being built; ``engine.plugin_config(name)`` is ready.

    Returns:
        A sequence of :class:`clarion.emv.EmvModel` instances (or ``None``).
        ``EmvModel.value(figures)`` receives one :class:`clarion.emv.NetworkFigures` per
        network (shares, counted clicks, reported impressions, potential reach and
        interaction increases) and returns one :class:`clarion.emv.EmvValue` per currency,
        with the amount in integer minor units (cents).

    Example::

        class PerShare(EmvModel):
            key, label = "per-share", "Flat value per share"
            def value(self, figures):
                shares = sum(item.shares for item in figures)
                return [EmvValue(self.key, self.label, "EUR", 150 * shares,
                                 "EMV = EUR 1.50 * shares", {"default": 150})]

        @hookimpl
        def clarion_emv_models_register():
            return [PerShare()]
    """


@hookspec
def clarion_widgets_register(engine: Engine) -> Sequence[Widget] | None:
    """Contribute UI widgets the intranet can embed.

    Called once while the engine is built. Widget names must be unique across plugins:
    a duplicate stops start-up naming both plugins.

    Args:
        engine: The engine being built.

    Returns:
        A sequence of :class:`clarion.widgets.Widget` (or ``None``).

    Example::

        @hookimpl
        def clarion_widgets_register():
            return [Widget(name="quote", title="Quote of the day",
                           template="quote.html", context=lambda engine, viewer, settings: {})]
    """


@hookspec
def clarion_badges_register(engine: Engine) -> Sequence[Badge] | None:
    """Contribute badges ambassadors can earn.

    Called once while the engine is built. Badge names must be unique across plugins: a
    duplicate stops start-up naming both plugins. Clarion measures and awards; a badge only
    says what it counts (``measure``) and from which value (``threshold``). Each badge is
    awarded at most once per ambassador, right after an event is scored and again by
    ``clarion scores recompute``, and recorded as a ``badge.awarded`` event. Removing a
    badge's plugin hides it; awards of badges no plugin registers are dropped by the next
    recompute.

    Args:
        engine: The engine being built.

    Returns:
        A sequence of :class:`clarion.badges.Badge` (or ``None``).

    Example::

        @hookimpl
        def clarion_badges_register():
            return [Badge(name="shares-25", title="25 shares", description="Share 25 posts.",
                          image_svg=STAR_SVG, measure="shares", threshold=25)]
    """


@hookspec
def clarion_routes_register(engine: Engine) -> Sequence[ControllerRouterHandler] | None:
    """Contribute web routes: Litestar controllers, routers or route handlers.

    Called once while the web application is built. The handlers join the application as the
    core's own do: they receive the ``engine`` and ``actor`` dependencies, every handler's
    ``opt={"role": ...}`` is enforced (``"public"``, ``"ambassador"``, ``"editor"``,
    ``"admin"``; a handler without a role is refused at start-up), state-changing requests pass
    the same origin and CSRF checks, and errors become ``application/problem+json``. Put an API
    under ``/api/v1/<your-namespace>`` and pages under ``/plugins/<plugin-name>/``; the core's
    own paths are taken, and two plugins claiming one path and method stop start-up naming both.

    Static files need no hook: a ``static/`` folder next to the plugin module is served at
    ``/static/plugins/<plugin-name>/``, a ``templates/`` folder next to it joins the
    template path (site templates first, then plugins, then the core's), and a ``locale/``
    folder (``locale/nl/LC_MESSAGES/clarion.po``) translates the words of those templates.

    Args:
        engine: The engine the application serves.

    Returns:
        A sequence of Litestar controllers, routers or handlers (or ``None``).

    Example::

        class KudosController(Controller):
            path = "/api/v1/kudos"

            @get("/", opt={"role": "ambassador"})
            def mine(self, engine: Engine, actor: Actor) -> list[KudosOut]:
                return kudos_service.received(engine, actor)

        @hookimpl
        def clarion_routes_register():
            return [KudosController]
    """


@hookspec
def clarion_commands_register(engine: Engine) -> Sequence[click.Command] | None:
    """Contribute ``clarion`` sub-commands.

    Called once when the ``clarion`` command starts, with an engine built from the settings
    (its database is not opened until a command uses it); the engine is closed when the command
    ends. Command names must be unique: one that clashes with a core command or another
    plugin's stops the command line naming both. When the settings are broken the core's
    commands still run (and say what is wrong) and plugin commands are left out.

    Args:
        engine: The engine of this command line run.

    Returns:
        A sequence of :class:`click.Command` or :class:`click.Group` (or ``None``).

    Example::

        @hookimpl
        def clarion_commands_register(engine):
            @click.command("kudos-digest", help="Send this week's kudos digest now.")
            def kudos_digest():
                click.echo(f"{send_digest(engine)} digest(s) sent")
            return [kudos_digest]
    """


@hookspec
def clarion_jobs_register(engine: Engine) -> Sequence[Job] | None:
    """Contribute background jobs and periodic schedules.

    Called once when the engine's job queue is first opened (by a web process enqueueing or
    by ``clarion worker``). Jobs run on Clarion's task queue: a SQLite file in the embedded
    default, Redis at scale, with any number of workers. A job with a ``schedule`` runs
    periodically (cron, UTC) on every worker that runs periodic tasks; any job can be
    enqueued with ``engine.jobs.enqueue(name, **kwargs)``. Job names must be unique across
    plugins: a duplicate stops the queue naming both plugins.

    Args:
        engine: The running engine.

    Returns:
        A sequence of :class:`clarion.contracts.Job` (or ``None``).

    Example::

        @hookimpl
        def clarion_jobs_register():
            return [Job("kudos.weekly_digest", send_weekly_digest, schedule="0 8 * * 1")]
    """


@hookspec
def clarion_tables_register(engine: Engine) -> Schema | None:
    """Contribute the plugin's own tables and their migrations.

    Called once while the engine is built. ``clarion db upgrade`` upgrades the core's
    schema, then every installed plugin's history in its own version table; ``clarion db
    current`` and ``/healthz`` report each. A plugin's tables may refer to the core's (foreign
    keys to ``ambassador.id`` and the like), never to another plugin's. Removing the plugin
    later leaves its tables and data untouched. Branch names must be unique across plugins.

    Args:
        engine: The engine being built.

    Returns:
        A :class:`clarion.contracts.Schema` (or ``None``).

    Example::

        class Kudos(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            ambassador_id: int = Field(foreign_key="ambassador.id", index=True)

        @hookimpl
        def clarion_tables_register():
            return Schema("kudos", Path(__file__).parent / "migrations", [Kudos.__table__])
    """


@hookspec(firstresult=True)
def clarion_identity_compute(engine: Engine, request: RequestInfo) -> Identity | None:
    """Say who a web request comes from.

    ``firstresult``: providers are asked in turn and the first non-``None`` answer wins.
    A provider returns ``None`` when the request carries nothing it understands, and raises
    :class:`clarion.errors.NotAuthenticated` when it carries something it understands but
    refuses (a forged header, an expired token): a refused credential never falls through
    to another provider.

    Args:
        engine: The running engine.
        request: Method, path, lower-cased headers and the direct peer's address.

    Returns:
        An :class:`clarion.identity.Identity`, or ``None``.

    Example::

        @hookimpl
        def clarion_identity_compute(request):
            user = request.headers.get("x-portal-user")
            return Identity(external_id=user, provider="portal") if user else None
    """


@hookspec
def clarion_share_violations_compute(engine: Engine, draft: ShareDraft, session: Session) -> Sequence[Violation] | None:
    """Guardrails: check a share before it is created.

    Every implementation is asked (this is not ``firstresult``); if any returns a
    violation the share is refused with all the messages, so the ambassador can fix
    everything at once. Called inside the share-creation transaction, after Clarion's own
    checks (consent, eligibility, the connector's text rules) passed. Share creation for
    one ambassador is serialised (their row is locked first), so a guardrail reading
    through ``session`` sees every earlier share of theirs, committed or not.

    Args:
        engine: The running engine.
        draft: The share about to be created.
        session: The open database session of that transaction; read through it, never
            commit or roll it back.

    Returns:
        A sequence of :class:`clarion.guardrails.Violation` (empty or ``None`` when fine).

    Example::

        @hookimpl
        def clarion_share_violations_compute(draft):
            if "#ad" not in draft.text:
                return [Violation("disclosure", "Add #ad: this post is about your employer.")]
            return []
    """


@hookspec
def clarion_awards_compute(engine: Engine, event: RecordedEvent) -> Sequence[Award] | None:
    """Scoring rules: turn one event into zero or more point awards.

    Every rule is asked for every event (never ``firstresult``). Called after the event's
    transaction committed, by the ``scoring-ledger`` observer, and again for every event by
    ``clarion scores recompute``; a rule that raises is logged and the event is scored by the
    next recompute. A rule must be a pure function of the event and the database as of the
    event — read only events with a smaller ``id``, never "now" — so the same event always
    yields the same awards and the ledger can be rebuilt when rules change.

    Each award names its rule; (rule, event, ambassador) is the ledger's idempotency key, so
    a rule gives one person at most one award per event. An award may set ``daily_cap`` (the
    ledger cuts it to what is left of the rule's points for that person's UTC day) and
    ``hold_reason`` (the points wait for an admin's review). Corrections (a discounted click,
    a cancelled share) are written by the ledger; rules need not reverse their own awards.

    Args:
        engine: The running engine.
        event: The recorded event (kind, ambassador, content, share, payload, time).

    Returns:
        A sequence of :class:`clarion.scoring.Award` (empty or ``None`` for no points).

    Example::

        @hookimpl
        def clarion_awards_compute(event):
            if event.kind == "share.published" and event.ambassador_id:
                return [Award("share", event.ambassador_id, 10, "You shared a post")]
            return []
    """


@hookspec
def clarion_event_on_recorded(engine: Engine, event: RecordedEvent) -> None:
    """Observers: react to an event after it is committed.

    Called once per newly recorded event (never for a replayed duplicate), after the
    transaction that stored it has committed. Exceptions are logged with the plugin's
    name and swallowed: an observer can never fail or roll back the action that caused
    the event. Slow work (e-mail, webhooks) belongs on the task queue.

    Args:
        engine: The running engine.
        event: The event just recorded.

    Example::

        @hookimpl
        def clarion_event_on_recorded(event):
            if event.kind == "content.approved":
                notify_channel(f"New content to share: {event.payload['title']}")
    """
