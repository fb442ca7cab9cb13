"""``POST /api/v1/metrics/import`` (the metrics-import plugin): the admins' CSV import, and the history showing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api_fixtures import LINKEDIN_POST_URL as POST_URL
from clarion.metrics.metrics import record_sample
from clarion.models import MetricSource


def upload(api, who, text, *, dry_run=False, multipart=False):
    url = "/api/v1/metrics/import" + ("?dry_run=true" if dry_run else "")
    if multipart:
        return api.post(url, who, files={"file": ("figures.csv", text.encode(), "text/csv")})
    return api.post(url, who, content=text.encode(), headers={"content-type": "text/csv"})


def history(api, who, share_id):
    response = api.get(f"/api/v1/shares/{share_id}/metrics", who)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_admin_imports_figures_that_then_show_with_their_provenance(api, cast, linkedin_share):
    share_id = linkedin_share["id"]
    csv = (
        "share,metric,value,observed_at\n"
        f"{share_id},impressions,1250,2026-11-20\n"
        f"{POST_URL},likes,48,2026-11-20T18:00:00+01:00\n"
        f'{linkedin_share["tracked_url"]},comments,"1,002",2026-11-21 09:00\n'
    )
    response = upload(api, cast.ada, csv)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["dry_run"], report["imported"], report["unchanged"]) == (False, 3, 0)
    assert [row["line"] for row in report["rows"]] == [2, 3, 4]
    body = history(api, cast.amir, share_id)
    assert [(s["metric"], s["value"], s["source"], s["origin"], s["observed_at"]) for s in body["samples"]] == [
        ("impressions", 1250, "reported", "import", "2026-11-20T00:00:00Z"),
        ("reactions", 48, "reported", "import", "2026-11-20T17:00:00Z"),
        ("comments", 1002, "reported", "import", "2026-11-21T09:00:00Z"),
    ]
    assert {s["metric"] for s in body["latest"]} == {"impressions", "reactions", "comments"}
    assert body["last_synced_at"] is None


def test_importing_the_same_file_again_changes_nothing(api, cast, linkedin_share):
    csv = f"share,metric,value,observed_at\n{linkedin_share['id']},impressions,10,2026-11-20\n"
    assert upload(api, cast.ada, csv).json()["imported"] == 1
    again = upload(api, cast.ada, csv, multipart=True)
    assert again.status_code == 200, again.text
    assert (again.json()["imported"], again.json()["unchanged"]) == (0, 1)
    assert len(history(api, cast.ada, linkedin_share["id"])["samples"]) == 1


def test_a_dry_run_reports_and_stores_nothing(api, cast, linkedin_share):
    csv = f"share,metric,value,observed_at\n{linkedin_share['id']},impressions,10,2026-11-20\n"
    response = upload(api, cast.ada, csv, dry_run=True)
    assert response.status_code == 200, response.text
    assert (response.json()["dry_run"], response.json()["imported"]) == (True, 1)
    assert history(api, cast.ada, linkedin_share["id"])["samples"] == []


def test_every_bad_row_is_listed_and_nothing_is_imported(api, cast, linkedin_share):
    share_id = linkedin_share["id"]
    with api.engine.transaction() as session:
        record_sample(
            session,
            share_id,
            "reactions",
            50,
            source=MetricSource.REPORTED,
            observed_at=datetime(2026, 11, 19, tzinfo=UTC),
        )
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    csv = (
        "Share,Metric,Value,Observed_At\n"
        f"{share_id},impressions,100,2026-11-20\n"  # fine, but must not be stored
        "999999,impressions,1,2026-11-20\n"
        f"{share_id},followers,1,2026-11-20\n"
        f"{share_id},comments,-3,2026-11-20\n"
        f"{share_id},reactions,20,2026-11-20\n"
        f"{share_id},comments,3,20/11/2026\n"
        f"{share_id},impressions,100,2026-11-20\n"
        f"{share_id},reposts,1.5,{tomorrow}\n"
        f"{share_id},reposts\n"
    )
    response = upload(api, cast.ada, csv)
    body = api.problem(response, 422, detail="nothing was imported")
    problems = [(error["line"], error["column"]) for error in body["errors"]]
    assert problems == [
        (3, "share"),
        (4, "metric"),
        (5, "value"),
        (6, "value"),
        (7, "observed_at"),
        (8, None),
        (9, "value"),
        (9, "observed_at"),
        (10, None),
    ]
    messages = {error["line"]: error["message"] for error in body["errors"]}
    assert "no share '999999'" in messages[3]
    assert "unknown metric 'followers'" in messages[4]
    assert "must not be negative" in messages[5]
    assert "lower than an earlier reading of reactions" in messages[6]
    assert "repeats line 2" in messages[8]
    assert "has 2 cells" in messages[10]
    assert [s["value"] for s in history(api, cast.ada, share_id)["samples"]] == [50]


def test_a_value_clashing_with_a_stored_reading_is_refused(api, cast, linkedin_share):
    share_id = linkedin_share["id"]
    upload(api, cast.ada, f"share,metric,value,observed_at\n{share_id},impressions,10,2026-11-20\n")
    clash = upload(api, cast.ada, f"share,metric,value,observed_at\n{share_id},impressions,12,2026-11-20\n")
    body = api.problem(clash, 422)
    assert "already recorded as 10" in body["errors"][0]["message"]
    earlier = upload(api, cast.ada, f"share,metric,value,observed_at\n{share_id},impressions,20,2026-11-18\n")
    assert "higher than a later reading" in api.problem(earlier, 422)["errors"][0]["message"]


def test_a_share_not_yet_published_cannot_take_figures(api, cast):
    content = api.approved_content(cast.erin)
    share = api.share(cast.amir, content["id"], "linkedin")
    response = upload(api, cast.ada, f"share,metric,value,observed_at\n{share['id']},impressions,1,2026-11-20\n")
    assert "planned, not published" in api.problem(response, 422)["errors"][0]["message"]


@pytest.mark.parametrize(
    ("csv", "detail"),
    [
        ("", "the file is empty"),
        ("share,metric,value\n1,impressions,3\n", "missing: observed_at"),
        ("share,metric,value,observed_at,note\n", "unknown: 'note'"),
        ("share,metric,value,observed_at\n", "no rows"),
    ],
    ids=["empty", "missing-column", "unknown-column", "no-rows"],
)
def test_an_unusable_file_is_refused_as_a_whole(api, cast, csv, detail):
    api.problem(upload(api, cast.ada, csv), 422, detail=detail)


def test_semicolon_separated_files_from_spreadsheets_are_read(api, cast, linkedin_share):
    csv = f"share;metric;value;observed_at\r\n{linkedin_share['id']};impressions;7;2026-11-20\r\n"
    response = upload(api, cast.ada, csv)
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1


def test_the_body_must_be_csv(api, cast):
    api.problem(api.post("/api/v1/metrics/import", cast.ada, {"share": 1}), 415, detail="text/csv")
    not_utf8 = api.post(
        "/api/v1/metrics/import",
        cast.ada,
        content="share,métrique\n".encode("latin-1"),
        headers={"content-type": "text/csv"},
    )
    api.problem(not_utf8, 422, detail="UTF-8")
    no_file = api.post("/api/v1/metrics/import", cast.ada, files={"other": ("x.csv", b"a", "text/csv")})
    api.problem(no_file, 400, detail="'file'")


@pytest.mark.parametrize("who", ["amir", "bea", "erin"])
def test_only_admins_import(api, cast, linkedin_share, who):
    csv = f"share,metric,value,observed_at\n{linkedin_share['id']},impressions,10,2026-11-20\n"
    api.problem(upload(api, getattr(cast, who), csv), 403, detail="admin")
    assert history(api, cast.ada, linkedin_share["id"])["samples"] == []


def test_the_import_is_documented_with_an_example(api):
    document = api.get("/schema/openapi.json").json()
    body = document["paths"]["/api/v1/metrics/import"]["post"]["requestBody"]
    assert "share,metric,value,observed_at" in body["content"]["text/csv"]["example"]
    assert "file" in body["content"]["multipart/form-data"]["schema"]["properties"]


def test_a_file_with_many_bad_rows_lists_the_first_hundred(api, cast):
    csv = "share,metric,value,observed_at\n" + "".join(f"{n},impressions,1,2026-11-20\n" for n in range(1, 151))
    body = api.problem(upload(api, cast.ada, csv), 422, detail="the first 100 of 150 problems are listed")
    assert len(body["errors"]) == 100
    assert body["errors"][0]["line"] == 2
