"""The tracked-link redirect: 302 to the content with UTM added, never steerable, never cached."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from clarion.models import Campaign, Content, ContentStatus, Share, utcnow
from clarion.shares.links import link_cache, with_utm


@pytest.fixture
def shared(clarion_engine, clarion_client, clarion_people):
    """An approved content item with a campaign, shared once on X; returns (code, content id)."""
    amir = clarion_people("amir")
    with clarion_engine.transaction() as session:
        campaign = Campaign(name="Hiring", slug="hiring-2027")
        session.add(campaign)
        session.flush()
        content = Content(
            title="Join us",
            url="https://example.com/jobs?ref=intranet&utm_source=old",
            status=ContentStatus.APPROVED,
            campaign_id=campaign.id,
        )
        session.add(content)
        session.flush()
        content_id = content.id
    response = clarion_client.post(
        "/api/v1/shares", headers=amir.headers, json={"content_id": content_id, "network": "x", "text": "Look"}
    )
    assert response.status_code == 201, response.text
    return response.json()["tracked_url"].rsplit("/", 1)[1], content_id


def test_a_tracked_link_redirects_to_the_content_with_utm(clarion_client, shared):
    code, _ = shared
    response = clarion_client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["cache-control"] == "no-store"
    assert "noindex" in response.headers["x-robots-tag"]
    target = urlsplit(response.headers["location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "example.com", "/jobs")
    assert parse_qs(target.query) == {
        "ref": ["intranet"],  # the content's own parameters are kept
        "utm_source": ["x"],  # ours replace a stale one
        "utm_medium": ["employee_advocacy"],
        "utm_content": [code],
        "utm_campaign": ["hiring-2027"],
    }


def test_head_is_answered_the_same_way(clarion_client, shared):
    code, _ = shared
    response = clarion_client.head(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith("https://example.com/jobs?")


def test_no_request_parameter_can_change_the_destination(clarion_client, shared):
    code, _ = shared
    response = clarion_client.get(
        f"/r/{code}?url=https://evil.example&next=//evil.example&utm_source=evil", follow_redirects=False
    )
    assert urlsplit(response.headers["location"]).netloc == "example.com"
    assert "evil" not in response.headers["location"]


@pytest.mark.parametrize("code", ["unknown234", "x", "a" * 64, "O0O0O0O0O0", "%2F%2Fevil.example"])
def test_unknown_codes_get_a_404_page(clarion_client, code):
    response = clarion_client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 404
    assert "This link does not exist" in response.text
    assert response.headers["cache-control"] == "no-store"


def test_expired_or_archived_content_goes_to_the_fallback(clarion_engine, clarion_client, shared):
    code, content_id = shared
    with clarion_engine.transaction() as session:
        content = session.get(Content, content_id)
        content.expires_at = utcnow() - timedelta(minutes=1)
        content.publish_at = utcnow() - timedelta(days=1)
        session.add(content)
    response = clarion_client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "http://clarion.test/"
    with clarion_engine.transaction() as session:
        content = session.get(Content, content_id)
        content.expires_at = None
        content.status = ContentStatus.ARCHIVED
        session.add(content)
    assert clarion_client.get(f"/r/{code}", follow_redirects=False).headers["location"] == "http://clarion.test/"


def test_the_fallback_is_configurable(clarion_engine_factory, clarion_people, shared):
    from litestar.testing import TestClient

    from clarion.web.app import create_app

    code, content_id = shared
    engine = clarion_engine_factory(link_fallback_url="https://intranet.example/advocacy")
    with engine.transaction() as session:
        content = session.get(Content, content_id)
        content.status = ContentStatus.ARCHIVED
        session.add(content)
    with TestClient(create_app(engine=engine)) as client:
        response = client.get(f"/r/{code}", follow_redirects=False)
    assert response.headers["location"] == "https://intranet.example/advocacy"


def test_only_http_destinations_are_answered(clarion_engine, clarion_client, shared):
    code, content_id = shared
    with clarion_engine.transaction() as session:
        content = session.get(Content, content_id)
        content.url = "javascript:alert(1)"  # cannot come through the API; the redirect still refuses it
        session.add(content)
    assert clarion_client.get(f"/r/{code}", follow_redirects=False).headers["location"] == "http://clarion.test/"


def test_a_share_belongs_to_its_code(clarion_engine, shared):
    code, _ = shared
    with clarion_engine.transaction() as session:
        from sqlmodel import select

        assert session.exec(select(Share).where(Share.link_code == code)).one().network == "x"


def test_utm_never_duplicates_parameters():
    url = with_utm("https://e.com/a?utm_medium=x&b=1", source="linkedin", medium="m", campaign=None, content="c")
    query = parse_qs(urlsplit(url).query)
    assert query == {"b": ["1"], "utm_source": ["linkedin"], "utm_medium": ["m"], "utm_content": ["c"]}


def test_the_redirect_carries_the_security_headers_and_no_body(clarion_client, shared):
    # The 302 is a bare ASGI answer (decision 0030): the app-wide headers must still be on it.
    code, _ = shared
    response = clarion_client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302
    assert response.content == b""
    assert response.headers["content-length"] == "0"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    head = clarion_client.head(f"/r/{code}", follow_redirects=False)
    assert head.headers["location"] == response.headers["location"]
    assert head.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_a_destination_with_non_ascii_characters_is_percent_encoded(clarion_engine, clarion_client, shared):
    code, content_id = shared
    with clarion_engine.transaction() as session:
        content = session.get(Content, content_id)
        content.url = "https://example.com/café/jobs?stad=Zürich"
        session.add(content)
    response = clarion_client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.isascii()
    assert location.startswith("https://example.com/caf%C3%A9/jobs?")
    assert parse_qs(urlsplit(location).query)["stad"] == ["Zürich"]


# -- the fast path (decision 0020): a link this process knows is answered before routing -----------


@pytest.fixture
def cached_links(clarion_engine_factory, clarion_people):
    """An engine remembering links for an hour, its client, and a shared link: ``(engine, client, code)``."""
    from litestar.testing import TestClient

    from clarion.web.app import create_app

    engine = clarion_engine_factory(link_cache_seconds=3600)
    amir = clarion_people("amir")
    with engine.transaction() as session:
        content = Content(title="Join us", url="https://example.com/jobs", status=ContentStatus.APPROVED)
        session.add(content)
        session.flush()
        content_id = content.id
    with TestClient(create_app(engine=engine)) as client:
        response = client.post(
            "/api/v1/shares", headers=amir.headers, json={"content_id": content_id, "network": "x", "text": "Look"}
        )
        assert response.status_code == 201, response.text
        yield engine, client, response.json()["tracked_url"].rsplit("/", 1)[1], content_id


def _journalled(engine) -> list[dict]:
    import json

    from clarion.shares.click_journal import journal_dir

    paths = sorted(journal_dir(engine.settings).glob("*.jsonl"))
    return [json.loads(line) for path in paths for line in path.read_text().splitlines()]


def test_the_fast_path_answers_and_journals_like_the_router(cached_links):
    engine, client, code, _ = cached_links
    first = client.get(f"/r/{code}", follow_redirects=False)  # the router: reads the database, fills the cache
    assert link_cache(engine).get(code, utcnow()) is not None
    second = client.get(f"/r/{code}?s=qr", follow_redirects=False, headers={"Referer": "https://t.co/x"})
    assert (first.status_code, second.status_code) == (302, 302)
    for name in ("location", "cache-control", "x-robots-tag", "content-security-policy", "x-frame-options"):
        assert second.headers[name] == first.headers[name], name
    assert second.headers["content-length"] == "0"
    records = _journalled(engine)
    assert len(records) == 2  # exactly one record per 302
    assert [(record["q"], record["r"]) for record in records] == [(False, None), (True, "t.co")]
    assert records[0]["v"] == records[1]["v"] is not None  # the same visitor hash either way


@pytest.mark.parametrize("path", ["/r/{code}/qr.svg", "/r/nosuchcode1"])
def test_the_fast_path_leaves_other_paths_to_the_router(cached_links, path):
    engine, client, code, _ = cached_links
    client.get(f"/r/{code}", follow_redirects=False)
    response = client.get(path.format(code=code), follow_redirects=False)
    assert response.status_code in (401, 404)  # the QR code needs its owner; the rest do not exist
    assert len(_journalled(engine)) == 1


def test_an_expired_link_leaves_the_fast_path_exactly_on_time(cached_links, clock):
    engine, client, code, content_id = cached_links
    with engine.transaction() as session:
        content = session.get(Content, content_id)
        expires_at = content.expires_at = clock.now() + timedelta(seconds=2)
        session.add(content)
    link_cache(engine).clear()
    assert client.get(f"/r/{code}", follow_redirects=False).headers["location"].startswith("https://example.com/")
    assert link_cache(engine).get(code, clock.now()) is not None
    clock.set(expires_at - timedelta(milliseconds=1))
    assert client.get(f"/r/{code}", follow_redirects=False).headers["location"].startswith("https://example.com/")
    clock.set(expires_at)
    assert client.get(f"/r/{code}", follow_redirects=False).headers["location"] == "http://clarion.test/"
