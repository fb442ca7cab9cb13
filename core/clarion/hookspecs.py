"""Every extension point of Clarion, each documented with its contract and an example.

Hooks are named ``clarion_<noun>_<verb>`` with a short list of verbs:

``register``
    returns things, called once when the engine is built;
``prepare``
    adjusts an object it is handed, before the core uses it;
``compute``
    returns a value, called whenever the engine needs it;
``render``
    returns HTML for a page the core renders;
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

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from litestar import Request
    from litestar.types import ControllerRouterHandler
    from sqlmodel import Session

    from clarion.actors import Actor
    from clarion.badges import Badge
    from clarion.connectors import Connector
    from clarion.contracts import AdminPage, Erasure, Job, PersonRows, Schema, ServeSetup
    from clarion.emv import EmvModel
    from clarion.engine import Engine
    from clarion.events import RecordedEvent
    from clarion.guardrails import ShareDraft, Violation
    from clarion.identity import Identity, RequestInfo
    from clarion.models import AuditEntry, PointsEntry
    from clarion.scoring import Award, PointsMoved
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
    duplicate stops start-up naming both plugins. The built-in ``gamification`` plugin measures
    and awards (with it blocked, badges are collected but never awarded); a badge only says what
    it counts (``measure``) and from which value (``threshold``). Each badge is
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


@hookspec
def clarion_serve_prepare(engine: Engine, demo: bool, serve: ServeSetup) -> None:
    """Prepare a ``clarion serve`` run: start what lives beside the server, adjust its settings.

    Called once by ``clarion serve``, before the database schema is checked and before the
    server starts, for every plugin (not ``firstresult``). Adjust ``serve``: enter resources
    that must live as long as the server into ``serve.resources`` (they are closed after it
    stops, and when start-up fails), set plugin settings for this run with
    ``serve.configure_plugin`` (the server's web workers receive them too), add environment
    variables for the web workers and lines to print. With ``--demo`` the plugin that provides
    the demo creates or upgrades the schema, loads its programme and sets
    ``serve.demo_loaded``; when no plugin sets it, ``clarion serve --demo`` stops with a
    message saying the demo plugin is missing. Errors stop the start with the plugin's name.

    Args:
        engine: An engine built from the run's settings; it is closed before the server starts.
        demo: Whether ``--demo`` was given (``engine.settings.demo`` says the same).
        serve: The run's :class:`clarion.contracts.ServeSetup`, to adjust.

    Returns:
        Nothing; adjust ``serve`` instead.

    Example::

        @hookimpl
        def clarion_serve_prepare(serve):
            tunnel = serve.resources.enter_context(open_tunnel(serve.url))
            serve.configure_plugin("kudos", public_url=tunnel.url)
            serve.lines.append(f"Reachable from outside at {tunnel.url}")
    """


@hookspec
def clarion_page_sections_render(
    engine: Engine, page: str, slot: str, request: Request[Any, Any, Any], language: str
) -> Sequence[str] | None:
    """Add sections of HTML to a named slot of one of the core's pages.

    The core's pages leave named slots open; every implementation is asked for each slot each
    time the page is rendered (on a worker thread, so database reads are fine), and the
    sections are shown in pluggy's call order. Return ``None`` (or nothing) for slots you do
    not fill. The pages and their slots (:data:`clarion.web.sections.PAGE_SLOTS`):

    * ``home`` (``/``): ``intro``, under the programme's introduction; ``try-api``, which
      replaces the "mint a token" instructions when a plugin fills it.
    * ``admin-signin`` (``/admin/signin``): ``before-form`` and ``after-form``, around the
      sign-in token form; a section may hold its own ``<form method="post">``.

    What you return is inserted as HTML without escaping: build it from a template
    (:func:`clarion.web.sections.render_section` renders one of your plugin's templates,
    autoescaped and translated) or escape every value with ``markupsafe.escape``.

    Args:
        engine: The running engine.
        page: The page being rendered, ``"home"`` or ``"admin-signin"``.
        slot: The slot to fill, one of the page's slots above.
        request: The Litestar request the page answers.
        language: The language the page is rendered in (``"en"``, ``"nl"``); write in it.

    Returns:
        A sequence of HTML strings (or ``None``).

    Example::

        @hookimpl
        def clarion_page_sections_render(page, slot, request, language):
            if (page, slot) == ("admin-signin", "before-form"):
                return [render_section(request, "sso/button.html", language=language)]
            return None
    """


@hookspec
def clarion_admin_pages_register(engine: Engine) -> Sequence[AdminPage] | None:
    """Contribute sections of the editor and admin UI, each with its menu entry.

    Called once while the web application is built. Each page names its menu entry (a label,
    a path under ``/admin/`` and an order), the role that may see and use it (``"editor"`` or
    ``"admin"``) and the Litestar controllers serving it. The core mounts them inside the admin
    area: sign-in, the role guard (the page's role and each route's ``opt={"role": ...}``), the
    origin check and the admin's HTML error pages apply, and the menu shows each viewer the pages
    their role allows, in ``order``. The core's own sections (content, campaigns, ambassadors ...)
    come through this hook too, from the essential ``core-admin`` plugin. Build pages with
    :mod:`clarion.web.admin.kit`: ``Crud`` makes a list, create and edit view (checked form,
    service call, redirect with a flash message, or the form again with the errors and a 4xx),
    ``audit`` records a change in the audit log, ``page`` renders inside the admin layout. Two
    pages with one path stop start-up naming both plugins.

    Args:
        engine: The engine the application serves.

    Returns:
        A sequence of :class:`clarion.contracts.AdminPage` (or ``None``).

    Example::

        KUDOS = kit.Crud(path="/admin/kudos", id_name="kudos_id", role="editor",
                         list_template="kudos/admin_list.html", form_template="kudos/admin_form.html",
                         list_context=list_kudos, load=get_kudos, values=kudos_values,
                         parse=kudos_fields, create=create_kudos, update=update_kudos, audit="kudos")

        @hookimpl
        def clarion_admin_pages_register():
            return [AdminPage(path="/admin/kudos", label="Kudos", role="editor", order=80,
                              controllers=[kit.crud_controller(KUDOS)], labels={"nl": "Complimenten"})]
    """


@hookspec(firstresult=True)
def clarion_identity_compute(engine: Engine, request: RequestInfo) -> Identity | None:
    """Say who a web request comes from.

    ``firstresult``: providers are asked in turn and the first non-``None`` answer wins.
    A provider returns ``None`` when the request carries nothing it understands, and raises
    :class:`clarion.errors.NotAuthenticated` when it carries something it understands but
    refuses (a forged header, an expired token): a refused credential never falls through
    to another provider. Raise its subclass :class:`clarion.errors.CredentialRefused` for a
    credential nobody issued (a guess), so its sender is throttled; raise
    :class:`clarion.errors.BadRequest` when a header you read is in ``request.repeated``.

    Args:
        engine: The running engine.
        request: Method, path, lower-cased headers (``repeated`` names those sent twice) and
            the direct peer's address.

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
    transaction committed, by the core's points ledger on the after-commit event bus, and again for every event by
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
def clarion_audit_on_recorded(engine: Engine, entry: AuditEntry) -> None:
    """Observers: react to a change written to the audit log, after it is committed.

    Every change by an editor, admin, API token, provisioning client or the command line is
    recorded with :func:`clarion.audit.record` (plugins call it too), and each recorded entry is
    told here once its transaction commits. Exceptions are logged and swallowed. To *record* a
    change of your own, call ``clarion.audit.record`` in the change's transaction instead.

    Args:
        engine: The running engine.
        entry: The stored row: ``actor``, ``via``, ``action``, ``subject_type``, ``subject_id``,
            ``before`` and ``after``.

    Example::

        @hookimpl
        def clarion_audit_on_recorded(entry):
            if entry.action == "ambassador.role_changed":
                alert_security(f"{entry.actor} changed a role: {entry.before} -> {entry.after}")
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


@hookspec
def clarion_points_on_change(engine: Engine, session: Session, changes: Sequence[PointsMoved]) -> None:
    """Keep what a plugin derives from the ledger in step with it, inside the ledger's transaction.

    Called once per ledger write that moved awarded points (an event scored, a correction, held
    points released or rejected), after the ledger's own rows and ``daily_points`` are written and
    before the transaction commits. Unlike other notifications it runs inside that transaction: write
    through ``session`` (never commit or roll it back), and an error rolls the ledger write back with
    yours, so a total kept here never drifts from the ledger. Not called while ``clarion scores
    recompute`` replays the log: :func:`clarion_points_on_recompute` follows it instead.

    Args:
        engine: The running engine.
        session: The ledger's open session.
        changes: One :class:`clarion.scoring.PointsMoved` per entry whose awarded points moved
            (ambassador, UTC day of the event, points; negative when taken back).

    Example::

        @hookimpl
        def clarion_points_on_change(session, changes):
            for change in changes:
                add_to_month_total(session, change.ambassador_id, change.day, change.points)
    """


@hookspec
def clarion_points_on_scored(engine: Engine, event: RecordedEvent, entries: Sequence[PointsEntry]) -> None:
    """React to an event the ledger has scored, after its transaction committed.

    Called once per scored event, with the entries the scoring wrote (none when the rules gave
    nothing or the event was scored before). The place for follow-ups that read the new balance:
    the gamification plugin promotes levels and awards badges here. Exceptions are logged with the
    plugin's name and swallowed: the points stay scored, and ``clarion scores recompute`` rebuilds
    what a failed follow-up missed.

    Args:
        engine: The running engine.
        event: The event just scored.
        entries: The ledger entries written for it (awards and corrections).

    Example::

        @hookimpl
        def clarion_points_on_scored(engine, event, entries):
            for ambassador_id in {entry.ambassador_id for entry in entries}:
                congratulate_on_round_numbers(engine, ambassador_id)
    """


@hookspec
def clarion_points_on_recompute(engine: Engine, session: Session) -> None:
    """Rebuild what a plugin derives from the ledger after ``clarion scores recompute`` replayed it.

    Called once, inside the recompute's transaction, when ``points_entry`` and ``daily_points``
    hold the new ledger; the old one is still what readers see until the transaction commits.
    Rebuild your totals from those tables through ``session``. An error aborts the recompute and
    leaves the previous ledger in place.

    Args:
        engine: The running engine.
        session: The recompute's open session.

    Example::

        @hookimpl
        def clarion_points_on_recompute(session):
            session.execute(sa.delete(MonthTotal))
            session.execute(sa.insert(MonthTotal).from_select(COLUMNS, month_totals_from_daily_points()))
    """


@hookspec
def clarion_widget_context_compute(
    engine: Engine, widget: str, viewer: Actor, session: Session
) -> Mapping[str, Any] | None:
    """Add to the template context of another plugin's widget.

    Every implementation is asked (this is not ``firstresult``) when a widget that accepts
    additions builds its context, and the answers are merged into it, later plugins winning on a
    shared key. The built-in ``my-impact`` widget accepts them: the gamification plugin adds the
    viewer's level, badges and rank there, and the widget leaves those parts out when nobody
    answers. Read through ``session``; never commit it.

    Args:
        engine: The running engine.
        widget: The name of the widget being rendered (``my-impact``).
        viewer: Who the widget is rendered for.
        session: The widget's open session.

    Returns:
        A mapping of context keys to add (``None`` or empty to add nothing).

    Example::

        @hookimpl
        def clarion_widget_context_compute(widget, viewer, session):
            if widget == "my-impact":
                return {"kudos": count_kudos(session, viewer.ambassador_id)}
            return None
    """


@hookspec
def clarion_person_export_compute(engine: Engine, session: Session, ambassador_id: int) -> Sequence[PersonRows] | None:
    """Return the rows about one person in the plugin's own tables, for their data export.

    Every implementation is asked (this is not ``firstresult``) when a person's export is built
    (``POST /api/v1/me/export`` starts a job that calls it); the answers become one JSON and one
    CSV file per table in the person's zip. Answer for every table of yours with a person column
    (a foreign key to ``ambassador.id``), with an empty ``rows`` when there are none: a test
    fails when a table holding people is covered by no plugin. Leave out secrets (hashes,
    encrypted credentials). Read through ``session``; never commit it.

    Args:
        engine: The running engine.
        session: The export's open session.
        ambassador_id: Whose rows to return.

    Returns:
        A sequence of :class:`clarion.contracts.PersonRows` (or ``None``).

    Example::

        @hookimpl
        def clarion_person_export_compute(session, ambassador_id):
            given = session.exec(select(Kudos).where(Kudos.giver_id == ambassador_id)).all()
            return [PersonRows("kudos", [{"message": k.message, "at": k.created_at.isoformat()} for k in given])]
    """


@hookspec
def clarion_person_erase_prepare(engine: Engine, session: Session, erasure: Erasure) -> None:
    """Erase one person's rows in the plugin's own tables, before the person is replaced by a pseudonym.

    Every implementation is called (this is not ``firstresult``) inside the erasing transaction
    when a person erases their account (``DELETE /api/v1/me``) or an admin erases it; an error
    rolls the whole erasure back. Delete what is personal (texts, handles, credentials); keep
    rows that feed aggregates (points, totals) under ``erasure.ambassador_id``, which from now
    on names nobody. Call ``erasure.covered(table, ...)`` for every table of yours with a person
    column, including the ones you keep on purpose: a test fails when a table holding people
    is covered by no plugin. Write through ``session``; never commit it.

    Args:
        engine: The running engine.
        session: The erasure's open session.
        erasure: Who is erased and the pseudonym replacing them
            (:class:`clarion.contracts.Erasure`).

    Returns:
        Nothing; the return value is ignored. Raise to refuse the erasure (it rolls back).

    Example::

        @hookimpl
        def clarion_person_erase_prepare(session, erasure):
            session.execute(sa.delete(Kudos).where(Kudos.giver_id == erasure.ambassador_id))
            erasure.covered("kudos")
    """
