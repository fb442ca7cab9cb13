"""Every file in examples/ runs, as a script and imported, and each has a test of its own here."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jwt
import pytest
from sqlmodel import col, select

from clarion.ambassadors.credentials import connector_context
from clarion.connectors import SharePost
from clarion.errors import AuthExpired, ConfigError, ContentRejected, ReconnectNeeded
from clarion.guardrails import ShareDraft
from clarion.models import Content, ContentStatus, ContentTopic, PointsEntry
from clarion.plugins import PluginSource
from clarion.points.points import recompute
from clarion.testing import TEST_SECRET, make_person
from clarion.testing.connector_checks import check_connector_contract
from clarion.tokens import mint_token, verify_token

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(path for path in (REPO / "examples").glob("*.py") if not path.name.startswith("_"))


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py under a unique module name, as a plugin module needs one."""
    module_name = f"clarion_example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPO / "examples" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # main() registers sys.modules[__name__] as the plugin
    spec.loader.exec_module(module)
    return module


def test_every_example_has_its_own_test():
    untested = [path.name for path in EXAMPLES if f"test_{path.stem}" not in globals()]
    assert not untested, f"add a test_<name> to tests/docs/test_examples.py for: {', '.join(untested)}"
    assert EXAMPLES, "examples/ is empty"


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_as_a_script(path, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLARION_")}
    result = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), f"{path.name} should show what it did"
    assert list(tmp_path.iterdir()) == [], f"{path.name} left files in the working directory"


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_has_a_main_and_a_docstring(path):
    module = load_example(path.stem)
    assert callable(getattr(module, "main", None)), f"{path.name} needs a main()"
    assert "Run it:" in (module.__doc__ or ""), f"{path.name}: say what it shows and how to run it"


def test_custom_connector(clarion_engine_factory, capsys):
    example = load_example("custom_connector")
    engine = clarion_engine_factory(plugins={"engage": example})
    connector = engine.connector("engage")
    assert connector.label == "Viva Engage"
    post = SharePost(text="Join us", link="https://clarion.test/r/abcdefghjk")
    assert connector.share_intent_url(post) == (
        "https://engage.example.com/share?text=Join+us&url=https%3A%2F%2Fclarion.test%2Fr%2Fabcdefghjk"
    )
    assert not connector.check_text(SharePost(text="x" * 10_000, link="https://clarion.test/r/1")).ok
    assert {record.name: record.source for record in engine.pm.describe()}["engage"] is PluginSource.REGISTERED
    example.main()
    out = capsys.readouterr().out
    assert f"networks: {', '.join(sorted(engine.connectors()))}" in out
    assert "engage" in engine.connectors()
    assert (
        "share intent: https://engage.example.com/share?text=Join+us%21&url=https%3A%2F%2Fadvocacy.example.com%2Fr%2F"
        in out
    )


def test_api_connector(clarion_engine_factory, capsys):
    example = load_example("api_connector")
    with example.fake_pulse() as pulse:
        engine = clarion_engine_factory(plugins={"pulse": example}, plugin_settings={"pulse": {"base_url": pulse.url}})
        connector = engine.connector("pulse")
        check_connector_contract(example.PulseConnector())  # the share link of a real, https Pulse
        # The engine hands the connector its [plugins.pulse] settings in every context.
        with connector_context(engine, connector) as context:
            with pytest.raises(ReconnectNeeded, match="refused this username"):
                connector.connect_with_password(context, identifier="amir", password="wrong")
            credential = connector.connect_with_password(context, identifier="amir", password="app-password")
            post = SharePost(text="Proud", link="https://clarion.test/r/abcdefghjk")
            published = connector.publish(context, credential, post, idempotency_key="k-1")
            assert pulse.posts[published.external_id]["text"] == "Proud https://clarion.test/r/abcdefghjk"
            with pytest.raises(ContentRejected, match="too long"):
                connector.publish(
                    context, credential, SharePost(text="x" * 1000, link=post.link), idempotency_key="k-2"
                )
            expired = dataclasses.replace(credential, access_token="expired")
            with pytest.raises(AuthExpired):
                connector.publish(context, expired, post, idempotency_key="k-3")
    example.main()
    assert capsys.readouterr().out.splitlines() == [
        "connected: amir",
        "published: 1",
        "UnknownOutcome: Pulse did not answer; the post may or may not exist",
        "reconciled: 2",
        "metrics: {'impressions': 40, 'reactions': 3, 'comments': 1}",
        "deleted; metrics now: []",
    ]


def test_custom_scoring_rule(capsys):
    example = load_example("custom_scoring_rule")
    example.main()
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "totals: {'amir': 65, 'bea': 45}"
    assert "amir: +20 xing-job-first (Your first job post on XING!)" in out
    assert "bea: +15 xing-job (You shared a job post on XING)" in out


def test_custom_scoring_rule_in_the_ledger(clarion_engine_factory):
    example = load_example("custom_scoring_rule")
    engine = clarion_engine_factory(plugins={"xing-jobs": example}, plugin_settings={"xing-jobs": {"daily_cap": 20}})
    assert engine.plugin_config("xing-jobs") == example.Settings(daily_cap=20)
    amir = make_person(engine, "amir")
    with engine.transaction() as session:
        jobs = [
            Content(title=f"Job {n}", url=f"https://example.com/jobs/{n}", status=ContentStatus.APPROVED)
            for n in range(2)
        ]
        session.add_all(jobs)
        session.flush()
        session.add_all([ContentTopic(content_id=job.id, topic="jobs") for job in jobs])
        job_ids = [job.id for job in jobs]
    for job_id in job_ids:
        example.publish(engine, amir.id, job_id, "xing")
    with engine.transaction() as session:
        entries = session.exec(select(PointsEntry).where(col(PointsEntry.rule).startswith("xing-job"))).all()
        bonus = sorted((entry.rule, entry.points) for entry in entries)
    # The second job share of the day is cut to what is left of the 20-point cap.
    assert bonus == [("xing-job", 5), ("xing-job", 15), ("xing-job-first", 25)]
    before = {(entry.rule, entry.event_id, entry.points) for entry in entries}
    recompute(engine)
    with engine.transaction() as session:
        again = session.exec(select(PointsEntry).where(col(PointsEntry.rule).startswith("xing-job"))).all()
        assert {(entry.rule, entry.event_id, entry.points) for entry in again} == before


def test_custom_scoring_rule_settings_are_validated(clarion_engine_factory, tmp_path):
    example = load_example("custom_scoring_rule")
    (tmp_path / "clarion.toml").write_text("[plugins.xing-jobs]\nbonus = -1\n")
    with pytest.raises(ConfigError, match=r"^\[plugins\.xing-jobs\] bonus:"):
        clarion_engine_factory(plugins={"xing-jobs": example})


def test_custom_guardrail(clarion_engine_factory, capsys):
    example = load_example("custom_guardrail")
    example.main()
    out = capsys.readouterr().out
    assert "'Proud of our new release!': fine" in out
    assert "Please rephrase without: guaranteed, risk-free, promise." in out
    engine = clarion_engine_factory(plugins={"banned-words": example})
    draft = ShareDraft(1, 1, "x", "A risk-free offer", "intent", None)
    with engine.transaction() as session:
        messages = [violation.message for violation in engine.share_violations(draft, session)]
    assert messages == ["Please rephrase without: risk-free."]


def test_custom_widget(clarion_engine_factory, capsys):
    example = load_example("custom_widget")
    example.main()
    out = capsys.readouterr().out
    assert "GET /widgets/my-week?goal=4 as amir: 200" in out
    assert '<span class="cw-number">2</span> of 4 posts shared this week' in out
    assert '<span class="cw-number">2</span> van 4 berichten gedeeld deze week' in out  # its own Dutch catalog
    assert '<link rel="stylesheet" href="https://advocacy.example.com/static/plugins/my-week/my-week.css">' in out
    assert "GET /widgets/my-week?goal=five: 400 widget setting 'goal' must be a whole number, not 'five'" in out
    engine = clarion_engine_factory(plugins={"my-week": example})
    from litestar.testing import TestClient

    from clarion.web.app import create_app

    person = make_person(engine, "bea")
    with TestClient(create_app(engine=engine)) as client:
        answer = client.get("/widgets/my-week", headers=person.headers)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "private, max-age=60"
        assert '<span class="cw-number">0</span> of 3 posts shared this week' in answer.text
        assert "my-week.css" in client.get("/static/plugins/my-week/my-week.css").text


def test_mint_token(capsys):
    example = load_example("mint_token")
    token = example.mint_clarion_token(TEST_SECRET, "amir@corp", name="Amir", ttl=60)
    claims = verify_token(TEST_SECRET, token)
    assert (claims["sub"], claims["aud"], claims["name"], claims["exp"] - claims["iat"]) == (
        "amir@corp",
        "clarion",
        "Amir",
        60,
    )
    # Same key, same algorithm, same claims as Clarion's own minting.
    ours = jwt.decode(
        mint_token(TEST_SECRET, "amir@corp"),
        example.clarion_signing_key(TEST_SECRET),
        audience="clarion",
        algorithms=["HS256"],
    )
    assert set(ours) == {"sub", "aud", "iat", "exp"}
    with pytest.raises(ValueError, match="24 hours"):
        example.mint_clarion_token(TEST_SECRET, "amir@corp", ttl=24 * 3600 + 1)
    example.main()
    assert "identified: amir@corp (Amir Haddad, amir@example.com) by identity-signed-token" in capsys.readouterr().out


def test_mint_token_needs_only_pyjwt():
    """mint_token.py must stay usable without Clarion installed: only main() imports it."""
    source = (REPO / "examples" / "mint_token.py").read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert all("clarion" not in line for line in top_level), top_level
