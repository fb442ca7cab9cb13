"""The ``clarion`` command: what an operator types, sees and gets back as an exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clarion.cli import main
from clarion.connectors import RateLimitInfo, RateLimitScope
from clarion.db import Database
from clarion.models import Ambassador, Role, utcnow
from clarion.plugins import DEFAULT_PLUGINS
from clarion.schema import head_revision
from clarion.shares import rate_limits
from clarion.tokens import verify_token
from clarion_plugins.gamification import clarion_tables_register as gamification_schema

SECRET = "cli-test-secret-0123456789abcdef"
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/x"

Run = Callable[..., Result]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Run:
    """``run(*args, input=None, **env) -> Result`` in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, **env: str | None) -> Result:
        environment: dict[str, str | None] = {
            "CLARION_DATABASE_URL": database_url,
            "CLARION_SECRET_KEY": SECRET,
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
            "CLARION_CONFIG": None,
            "CLARION_BASE_URL": None,
            "CLARION_PLUGINS": None,
            "CLARION_DISABLED_PLUGINS": None,
        }
        environment.update(env)
        return runner.invoke(main, list(args), input=input, env=environment)

    return invoke


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def assert_clean_error(result: Result, *fragments: str) -> str:
    """A non-zero exit with exactly one ``clarion: error: …`` line on stderr and no traceback."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), f"escaped: {result.exception!r}"
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("clarion: error: "), lines
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def add_ambassador(database_url: str, external_id: str, role: Role = Role.ADMIN) -> None:
    database = Database(database_url)
    try:
        with database.session() as session:
            session.add(Ambassador(external_id=external_id, name=external_id.title(), role=role))
    finally:
        database.dispose()


# -- db --------------------------------------------------------------------------------------


def test_db_upgrade_then_current_is_up_to_date(run):
    upgraded = ok(run("db", "upgrade"))
    assert f"is at revision {head_revision()}" in upgraded.stdout
    current = ok(run("db", "current"))
    gamification = head_revision(gamification_schema())  # a built-in plugin's own history
    histories = current.stdout.strip().removesuffix(" (up to date)").split("; ")
    assert histories[0] == head_revision()
    assert f"gamification: {gamification}" in histories[1:]  # every built-in plugin's history is named
    assert {history.split(":")[0] for history in histories[1:]} == {"gamification", "my_data", "cadence"}
    assert current.stdout.strip().endswith("(up to date)")


def test_db_current_on_an_empty_database_exits_3_with_a_hint(run):
    result = run("db", "current")
    assert result.exit_code == 3
    assert "base (empty)" in result.stdout
    assert "run `clarion db upgrade`" in result.stdout


def test_db_downgrade_to_base_then_current_exits_3(run):
    ok(run("db", "upgrade"))
    downgraded = ok(run("db", "downgrade", "--yes", "base"))
    assert "is at revision base" in downgraded.stdout
    current = run("db", "current")
    assert current.exit_code == 3
    assert "run `clarion db upgrade`" in current.stdout
    ok(run("db", "upgrade"))
    ok(run("db", "current"))


def test_db_downgrade_asks_first(run):
    ok(run("db", "upgrade"))
    refused = run("db", "downgrade", "base", input="n\n")
    assert_clean_error(refused, "not confirmed")
    ok(run("db", "current"))


# -- plugins -------------------------------------------------------------------------------


def test_plugins_lists_the_built_ins(run):
    lines = ok(run("plugins")).stdout.splitlines()
    by_name = {line.split()[0]: line for line in lines if not line.startswith(" ")}
    assert set(DEFAULT_PLUGINS) <= set(by_name)
    for name in DEFAULT_PLUGINS:
        assert "built-in" in by_name[name]
    assert "connectors_register" in by_name["connector-x"]
    assert "share_violations_compute" in by_name["guardrail-repeat-share"]


def test_plugins_json_lists_sources_and_hooks(run):
    records = json.loads(ok(run("plugins", "--json")).stdout)
    by_name = {record["name"]: record for record in records}
    assert set(DEFAULT_PLUGINS) <= set(by_name)
    for name, module in DEFAULT_PLUGINS.items():
        record = by_name[name]
        assert record["source"] == "built-in"
        assert record["module"] == module
        assert record["blocked"] is False
        assert record["hooks"], name
        assert all(hook.startswith("clarion_") for hook in record["hooks"])
    for connector in ("connector-linkedin", "connector-x", "connector-facebook", "connector-email"):
        assert "clarion_connectors_register" in by_name[connector]["hooks"]
    assert {"clarion_config_register", "clarion_share_violations_compute"} <= set(
        by_name["guardrail-repeat-share"]["hooks"]
    )
    assert "clarion_identity_compute" in by_name["identity-signed-token"]["hooks"]


def test_plugins_shows_blocked_plugins(run):
    records = json.loads(ok(run("plugins", "--json", CLARION_DISABLED_PLUGINS="connector-x")).stdout)
    [record] = [record for record in records if record["name"] == "connector-x"]
    assert record["blocked"] is True
    assert record["hooks"] == []


# -- tokens --------------------------------------------------------------------------------


def test_token_prints_a_jwt_that_verifies(run):
    result = ok(run("token", "ada", "--ttl", "600", "--name", "Ada L", "--email", "ada@example.com"))
    token = result.stdout.strip()
    assert token.count(".") == 2
    claims = verify_token(SECRET, token)
    assert claims["sub"] == "ada"
    assert claims["exp"] - claims["iat"] == 600
    assert claims["name"] == "Ada L"
    assert claims["email"] == "ada@example.com"


def test_single_use_token_can_be_exchanged_once(run):
    token = ok(run("token", "ada", "--single-use")).stdout.strip()
    claims = verify_token(SECRET, token)
    assert len(claims["jti"]) >= 16
    assert claims["exp"] - claims["iat"] == 300  # capped, whatever --ttl says


def test_api_token_create_list_revoke(run, database_url):
    ok(run("db", "upgrade"))
    add_ambassador(database_url, "ada")
    created = ok(run("api-token", "create", "ci bot", "--as", "ada"))
    clear = created.stdout.strip()
    assert clear.startswith("clr_")
    prefix = "_".join(clear.split("_")[:2])
    assert prefix in created.stderr
    assert "shown only now" in created.stderr
    listed = ok(run("api-token", "list")).stdout
    assert prefix in listed
    assert "active" in listed
    assert "ci bot" in listed
    assert clear not in listed, "the secret is never shown again"
    assert ok(run("api-token", "revoke", prefix)).stdout.strip() == f"revoked {prefix}"
    listed = ok(run("api-token", "list")).stdout
    assert "revoked" in listed


# -- rate limits ----------------------------------------------------------------------------


def test_rate_limits_show_which_budgets_hold_shares_back(run, database_url):
    ok(run("db", "upgrade"))
    assert ok(run("rate-limits")).stdout.strip() == "no rate limits reported"
    now = utcnow()
    database = Database(database_url)
    try:
        with database.session() as session:
            spent = RateLimitInfo(RateLimitScope.ACCOUNT, 0, now + timedelta(minutes=5), 300)
            rate_limits.record(session, "mastodon", 12, [spent])
            rate_limits.record(
                session, "x", 3, [RateLimitInfo(RateLimitScope.APP, 9812, now + timedelta(hours=3), 10000)]
            )
    finally:
        database.engine.dispose()
    lines = ok(run("rate-limits")).stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:4] == ["mastodon", "account:12", "0/300", "left"]
    assert lines[0].endswith(f"waiting until {(now + timedelta(minutes=5)).isoformat(timespec='seconds')}")
    assert lines[1].split()[:3] == ["x", "app", "9812/10000"]
    assert lines[1].endswith("ok")
    assert ok(run("rate-limits", "--network", "x")).stdout.splitlines() == lines[1:]
    assert ok(run("rate-limits", "--network", "bluesky")).stdout.strip() == "no rate limits reported by bluesky"


# -- config ---------------------------------------------------------------------------------


def test_config_hides_the_secret_and_passwords(run):
    result = ok(run("config", CLARION_DATABASE_URL="postgresql+psycopg://clarion:pa55word@db.internal/clarion"))
    shown = json.loads(result.stdout)
    assert shown["secret_key"] == "<set>"
    assert SECRET not in result.output
    assert "pa55word" not in result.output
    assert shown["database_url"].startswith("postgresql+psycopg://clarion:***@db.internal")


def test_config_hides_plugin_sections(run, tmp_path):
    (tmp_path / "clarion.toml").write_text('[plugins.guardrail-repeat-share]\nwindow_hours = 0\nnote = "private"\n')
    shown = json.loads(ok(run("config")).stdout)
    assert shown["plugins"] == {"guardrail-repeat-share": "<section>"}
    assert shown["config_path"].endswith("clarion.toml")


# -- errors: one line, no traceback ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("token", "ada", "--ttl", "0"), "lifetime"),
        (("token", "ada", "--ttl", "999999"), "lifetime"),
        (("token", ""), "external id"),
        (("db", "upgrade", "no-such-revision"), "no-such-revision"),
        (("db", "downgrade", "--yes", "no-such-revision"), "no-such-revision"),
        (("api-token", "create", "bot", "--as", "nobody"), "nobody"),
        (("api-token", "create", "  ", "--as", "ada"), "name"),
        (("api-token", "revoke", "clr_nothing"), "clr_nothing"),
    ],
)
def test_bad_arguments_give_one_error_line(run, database_url, args, fragment):
    ok(run("db", "upgrade"))
    add_ambassador(database_url, "ada")
    assert_clean_error(run(*args), fragment)


@pytest.mark.parametrize("args", [("token",), ("db", "upgrade", "a", "b"), ("nonsense",), ("serve", "--port", "0")])
def test_usage_errors_exit_2_without_traceback(run, args):
    result = run(*args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "Error:" in result.stderr


UNREACHABLE_COMMANDS = [
    ("db", "upgrade"),
    ("db", "current"),
    ("db", "downgrade", "--yes", "base"),
    ("api-token", "list"),
    ("rate-limits",),
    ("api-token", "create", "bot", "--as", "ada"),
    ("api-token", "revoke", "clr_x"),
    ("demo",),
    ("serve", "--port", "8765"),
]


@pytest.mark.parametrize("args", UNREACHABLE_COMMANDS, ids=" ".join)
def test_unreachable_database_gives_one_error_line(run, args):
    line = assert_clean_error(run(*args, CLARION_DATABASE_URL=UNREACHABLE))
    assert "127.0.0.1" in line


@pytest.mark.parametrize(
    "args", [("db", "current"), ("plugins",), ("token", "ada"), ("config",), ("api-token", "list")], ids=" ".join
)
@pytest.mark.parametrize(
    "toml",
    ["[clarion\nbase_url = 1\n", "[server]\nport = 1\n", "[clarion]\nmax_page_size = 0\n"],
    ids=["syntax", "unknown-section", "bad-value"],
)
def test_broken_config_file_gives_one_error_line(run, tmp_path, args, toml):
    (tmp_path / "clarion.toml").write_text(toml)
    assert_clean_error(run(*args))


def test_missing_config_file_gives_one_error_line(run, tmp_path):
    assert_clean_error(run("config", CLARION_CONFIG=str(tmp_path / "absent.toml")), "does not exist")


def test_unknown_plugin_module_gives_one_error_line(run):
    assert_clean_error(run("plugins", CLARION_PLUGINS="no_such_module_for_clarion"), "no_such_module_for_clarion")


def test_malformed_database_url_gives_one_error_line(run):
    assert_clean_error(run("db", "current", CLARION_DATABASE_URL="not a url"), "not a database URL")


def test_scores_recompute_rebuilds_the_ledger_from_the_events(run, database_url):
    from sqlmodel import select

    from clarion.event_log import record_event
    from clarion.events import EventKind
    from clarion.models import PointsEntry, utcnow

    ok(run("db", "upgrade"))
    add_ambassador(database_url, "ada")
    database = Database(database_url)
    try:
        # Recorded without an engine, so no observer scored it: only a recompute can.
        with database.session() as session:
            ada = session.exec(select(Ambassador)).one()
            record_event(
                session,
                EventKind.AMBASSADOR_OPTED_IN,
                idempotency_key="opt-in",
                ambassador_id=ada.id,
                occurred_at=utcnow(),
            )
        result = ok(run("scores", "recompute"))
        assert result.stdout.startswith("recomputed the ledger: 1 events scored into 1 entries in ")
        ok(run("scores", "recompute"))
        with database.session() as session:
            assert [(entry.rule, entry.points) for entry in session.exec(select(PointsEntry)).all()] == [
                ("onboarding-opted-in", 5)
            ]
    finally:
        database.dispose()


def test_scores_recompute_needs_the_schema(run):
    assert_clean_error(run("scores", "recompute"), "database")
