"""The metrics-import plugin as a plugin and as an admin page.

It owns ``POST /api/v1/metrics/import``, ``/admin/metrics-import`` and ``clarion import-metrics``;
blocked, all three are gone while imported figures stay readable. The admin page checks a file,
shows what would be stored, imports the same lines on request and lists every bad row.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from api_fixtures import LINKEDIN_POST_URL, cli
from clarion.models import AuditEntry, MetricSample, Role
from clarion.plugins import DEFAULT_PLUGINS, ESSENTIAL_PLUGINS
from clarion.testing import TEST_SECRET, make_person
from clarion.web.admin.forms import admin_csrf_token
from clarion.web.app import create_app

PAGE = "/admin/metrics-import/"


def samples(engine) -> list[tuple[int, str, int]]:
    with engine.transaction() as session:
        rows = session.execute(sa.select(MetricSample.share_id, MetricSample.metric, MetricSample.value)).all()
    return sorted((share_id, metric, value) for share_id, metric, value in rows)


def post_form(api, who, **fields: Any) -> Any:
    files = fields.pop("files", None)
    data = {"csrf_token": admin_csrf_token(TEST_SECRET, who.external_id), **fields}
    return api.post(PAGE, who, data=data, files=files or {"none": ("", b"", "text/plain")})


def test_it_is_a_built_in_that_may_be_blocked():
    assert DEFAULT_PLUGINS["metrics-import"] == "clarion_plugins.metric_import"
    assert "metrics-import" not in ESSENTIAL_PLUGINS


def test_clarion_plugins_lists_what_it_owns(clarion_database_url):
    result = cli(clarion_database_url, "plugins", "--json")
    assert result.exit_code == 0, result.output
    found = {entry["name"]: entry for entry in json.loads(result.output)}["metrics-import"]
    assert found["owns"] == {
        "routes": ["/api/v1/metrics/import"],
        "commands": ["import-metrics"],
        "admin pages": ["/admin/metrics-import (admin)"],
    }


def test_an_admin_checks_a_file_then_imports_the_same_lines(api, cast, linkedin_share, clarion_engine):
    share_id = linkedin_share["id"]
    text = f"share,metric,value,observed_at\n{share_id},impressions,1250,2026-11-20\n{LINKEDIN_POST_URL},likes,48,2026-11-21\n"
    form = api.get(PAGE, cast.ada)
    assert form.status_code == 200, form.text
    assert '<a href="/admin/metrics-import" aria-current="page">Import metrics</a>' in form.text
    assert "share,metric,value,observed_at" in form.text

    checked = post_form(api, cast.ada, csv_text=text, dry_run="on")
    assert checked.status_code == 200, checked.text
    assert "Checked: nothing was stored yet" in checked.text
    assert "2 sample(s) would be imported; 0 row(s) are already stored." in checked.text
    assert samples(clarion_engine) == []
    # The confirmation carries the checked lines; sending it imports them.
    carried = html.unescape(checked.text.split('name="csv_text" value="', 1)[1].split('"', 1)[0])
    assert carried == text

    imported = post_form(api, cast.ada, csv_text=carried)
    assert imported.status_code == 200, imported.text
    assert "2 sample(s) imported; 0 row(s) were already stored." in imported.text
    assert samples(clarion_engine) == [(share_id, "impressions", 1250), (share_id, "reactions", 48)]
    again = post_form(api, cast.ada, files={"file": ("figures.csv", text.encode(), "text/csv")})
    assert "0 sample(s) imported; 2 row(s) were already stored." in again.text
    with clarion_engine.transaction() as session:
        audited = session.execute(
            sa.select(AuditEntry.actor_id, AuditEntry.after).where(AuditEntry.action == "metrics.imported")
        ).all()
    assert [(by, after["imported"], after["shares"]) for by, after in audited] == [(cast.ada.id, 2, [share_id])], (
        "one audit entry: the unchanged re-import records nothing"
    )


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(api, cast, linkedin_share, clarion_engine):
    share_id = linkedin_share["id"]
    text = (
        "share,metric,value,observed_at\n"
        f"{share_id},impressions,1250,2026-11-20\n"
        f"{share_id},impressions,-3,2026-11-21\n"
        "999999,reactions,4,2026-11-21\n"
    )
    response = post_form(api, cast.ada, csv_text=text)
    assert response.status_code == 422, response.text
    assert "Nothing was imported:" in response.text
    assert "2 row(s) of the file have problems" in response.text
    assert '<td data-label="Line">3</td><td data-label="Column">value</td>' in response.text
    assert '<td data-label="Line">4</td>' in response.text
    assert html.escape(text, quote=False) in response.text, "the pasted lines come back to be corrected"
    assert samples(clarion_engine) == []


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"csv_text": "  "}, "choose a CSV file or paste its lines"),
        ({"files": {"file": ("big.csv", b"x" * (5 * 1024 * 1024 + 1), "text/csv")}}, "larger than 5120 KB"),
        ({"files": {"file": ("latin.csv", "share;métrique\n".encode("latin-1"), "text/csv")}}, "not UTF-8"),
        ({"csv_text": "share,metric\n"}, "missing: value, observed_at"),
    ],
    ids=["nothing", "too-large", "not-utf8", "bad-header"],
)
def test_an_unusable_form_is_refused_with_a_message(api, cast, fields, detail):
    response = post_form(api, cast.ada, **fields)
    assert response.status_code == 422, response.text
    assert detail in html.unescape(response.text)


def test_only_admins_see_the_page_and_the_form_needs_its_token(api, cast, clarion_engine):
    for who in (cast.amir, cast.erin):
        assert api.get(PAGE, who).status_code == 403
        assert "/admin/metrics-import" not in api.get("/admin" if who is cast.erin else "/admin/signin", who).text
    forged = post_form(api, cast.ada, csrf_token="forged", csv_text="share,metric,value,observed_at\n")
    assert forged.status_code == 403
    assert samples(clarion_engine) == []


def test_the_page_speaks_dutch(api):
    nl_admin = api.person("anke", Role.ADMIN, locale="nl")
    page = api.get(PAGE, nl_admin)
    assert page.status_code == 200
    assert "<h1>Statistieken importeren</h1>" in page.text
    assert "Alleen controleren" in page.text


@pytest.fixture
def blocked(clarion_engine_factory) -> Any:
    engine = clarion_engine_factory(disabled_plugins=["metrics-import"])
    with TestClient(create_app(engine=engine)) as client:
        yield engine, client


def test_blocked_the_import_is_gone_and_imported_figures_stay(blocked, clarion_database_url):
    engine, client = blocked
    admin = make_person(engine, "ada", Role.ADMIN)
    csv = {"content": b"share,metric,value,observed_at\n", "headers": {**admin.headers, "content-type": "text/csv"}}
    assert client.post("/api/v1/metrics/import", **csv).status_code in (404, 405)
    assert client.get(PAGE, headers=admin.headers).status_code == 404
    assert "/admin/metrics-import" not in client.get("/admin", headers=admin.headers).text
    assert "/api/v1/metrics/import" not in client.get("/schema/openapi.json").json()["paths"]
    assert "/api/v1/shares/{share_id}/metrics" in client.get("/schema/openapi.json").json()["paths"]
    gone = cli(clarion_database_url, "import-metrics", "-", CLARION_DISABLED_PLUGINS="metrics-import")
    assert gone.exit_code == 2
    assert "No such command 'import-metrics'" in gone.output
