"""The Hello Social plugin, tested the way Clarion tests its own plugins."""

from __future__ import annotations

from importlib.metadata import entry_points
from urllib.parse import parse_qs, urlsplit

import pytest
from clarion.connectors import SharePost
from clarion.errors import ConfigError
from clarion.models import Role

from clarion_hello import plugin
from clarion_hello.settings import HelloSettings


def test_the_entry_point_names_the_plugin_module():
    (entry_point,) = entry_points(group="clarion", name="hello")
    assert entry_point.value == "clarion_hello.plugin"
    assert entry_point.load() is plugin


def test_defaults_without_a_section(clarion_engine):
    assert clarion_engine.plugin_config("hello") == HelloSettings()
    assert clarion_engine.connector("hello").label == "Hello Social"


def test_share_intent_url_carries_text_and_link(clarion_engine):
    post = SharePost(text="Come work with me #ad", link="https://clarion.test/r/abcdefghjk")
    url = urlsplit(clarion_engine.connector("hello").share_intent_url(post))
    assert (url.scheme, url.netloc, url.path) == ("https", "social.example.com", "/share")
    assert parse_qs(url.query) == {"text": ["Come work with me #ad"], "url": ["https://clarion.test/r/abcdefghjk"]}


@pytest.mark.parametrize(
    "hello_toml", ['[plugins.hello]\ninstance = "https://hello.acme.example/"\nmax_length = 40\n'], ids=["acme"]
)
def test_settings_from_clarion_toml(clarion_engine):
    connector = clarion_engine.connector("hello")
    assert connector.share_intent_url(SharePost(text="Hi", link="https://x.test/r/1")).startswith(
        "https://hello.acme.example/share?"
    )
    check = connector.check_text(SharePost(text="x" * 30, link="https://x.test/r/1"))
    assert check.problems == ("Hello Social allows 40 characters; this post counts 49.",)


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ('disclosure_tag = "ad"', "disclosure_tag"),
        ('instance = "http://social.example.com"', "instance"),
        ('disclousre_tag = "#ad"', "disclousre_tag"),
    ],
)
def test_bad_settings_stop_start_up(clarion_engine_factory, tmp_path, section, field):
    (tmp_path / "clarion.toml").write_text(f"[plugins.hello]\n{section}\n")
    with pytest.raises(ConfigError, match=rf"^\[plugins\.hello\] {field}:"):
        clarion_engine_factory(plugins={"hello": plugin})


def _approved_content(client, editor) -> int:
    created = client.post(
        "/api/v1/content", headers=editor.headers, json={"title": "We are hiring", "url": "https://example.com/jobs"}
    )
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    for action in ("submit", "approve"):
        moved = client.post(
            f"/api/v1/content/{content_id}/transitions", headers=editor.headers, json={"action": action}
        )
        assert moved.status_code == 200, moved.text
    return content_id


def test_a_share_without_the_hashtag_is_refused(clarion_client, clarion_people):
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    content_id = _approved_content(clarion_client, editor)
    share = {"content_id": content_id, "network": "hello", "text": "Come work with me"}
    refused = clarion_client.post("/api/v1/shares", headers=ambassador.headers, json=share)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Add #ad to your post: it is about your employer."
    accepted = clarion_client.post(
        "/api/v1/shares", headers=ambassador.headers, json={**share, "text": "Come work with me #AD"}
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["share_intent_url"].startswith("https://social.example.com/share?text=Come+work")
    # The rule applies to Hello Social only by default.
    other = clarion_client.post("/api/v1/shares", headers=ambassador.headers, json={**share, "network": "linkedin"})
    assert other.status_code == 201, other.text


@pytest.mark.parametrize("hello_toml", ['[plugins.hello]\ndisclosure_tag = "#werbung"\nnetworks = []\n'], ids=["de"])
def test_the_tag_and_networks_are_configurable(clarion_client, clarion_people):
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    content_id = _approved_content(clarion_client, editor)
    refused = clarion_client.post(
        "/api/v1/shares",
        headers=ambassador.headers,
        json={"content_id": content_id, "network": "linkedin", "text": "Kommt zu uns #ad"},
    )
    assert refused.status_code == 422
    assert "#werbung" in refused.json()["detail"]
