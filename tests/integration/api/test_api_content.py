"""``/api/v1/content``: creating, reading, changing, deleting and the lifecycle over HTTP."""

from __future__ import annotations

import pytest

FULL = {
    "title": "We are hiring data engineers",
    "url": "https://example.com/jobs/data",
    "summary": "Join the analytics team.",
    "body": "Long text",
    "image_url": "https://example.com/img.png",
    "language": "nl",
    "topics": ["Jobs", "data", " jobs "],
    "publish_at": "2020-01-01T08:00:00Z",
    "expires_at": "2099-01-01T08:00:00+01:00",
    "featured": True,
    "audience": {"teams": ["Platform"], "departments": [], "locales": ["nl", "en"]},
    "share_texts": [
        {"network": "linkedin", "text": "First"},
        {"network": "x", "text": "Short"},
        {"network": "linkedin", "text": "Second"},
    ],
}


def test_editor_creates_a_draft_and_reads_it_back(api, cast):
    campaign = api.create_campaign(cast.erin)
    created = api.post("/api/v1/content", cast.erin, {**FULL, "campaign_id": campaign["id"]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft"
    assert body["origin"] == "official"
    assert body["author_id"] is None
    assert body["campaign_id"] == campaign["id"]
    assert body["topics"] == ["data", "jobs"]  # trimmed, lower-cased, deduplicated, sorted
    assert body["audience"] == {"teams": ["Platform"], "departments": [], "locales": ["en", "nl"]}
    assert [(t["network"], t["text"], t["position"]) for t in body["share_texts"]] == [
        ("linkedin", "First", 0),
        ("linkedin", "Second", 1),
        ("x", "Short", 0),
    ]
    assert body["publish_at"] == "2020-01-01T08:00:00Z"
    assert body["expires_at"] == "2099-01-01T07:00:00Z"  # times are answered in UTC, as stored
    assert body["featured"] is True
    assert body["allowed_actions"] == ["submit", "archive"]
    read = api.get(f"/api/v1/content/{body['id']}", cast.erin)
    assert read.status_code == 200
    assert read.json() == body


def test_defaults_of_a_minimal_draft(api, cast):
    body = api.create_content(cast.erin, title="Hi", url="http://example.com")
    assert (body["summary"], body["body"], body["image_url"]) == ("", "", None)
    assert (body["language"], body["topics"], body["share_texts"]) == ("en", [], [])
    assert body["audience"] == {"teams": [], "departments": [], "locales": []}
    assert (body["featured"], body["publish_at"], body["expires_at"]) == (False, None, None)


def test_an_ambassador_suggests_content_as_its_author(api, cast):
    body = api.create_content(cast.amir, origin="curated")
    assert body["author_id"] == cast.amir.id
    assert body["status"] == "draft"
    assert body["allowed_actions"] == ["submit"]


def test_an_editor_suggesting_curated_content_is_its_author_unless_named(api, cast):
    assert api.create_content(cast.erin, origin="produced")["author_id"] == cast.erin.id
    assert api.create_content(cast.erin, origin="curated", author_id=cast.amir.id)["author_id"] == cast.amir.id


BAD_BODIES = [
    pytest.param(b"{not json", None, id="malformed-json"),
    pytest.param(b'"just a string"', None, id="not-an-object"),
    pytest.param(b'{"title": 5, "url": "https://e.com"}', "title", id="title-wrong-type"),
    pytest.param(b'{"url": "https://e.com"}', "title", id="title-missing"),
    pytest.param(b'{"title": "", "url": "https://e.com"}', "title", id="title-empty"),
    pytest.param(b'{"title": "' + b"t" * 301 + b'", "url": "https://e.com"}', "title", id="title-too-long"),
    pytest.param(b'{"title": "t", "url": "https://e.com", "bogus": 1}', "bogus", id="unknown-field"),
    pytest.param(
        b'{"title": "t", "url": "https://e.com", "audience": {"squads": []}}', "audience.squads", id="audience"
    ),
    pytest.param(
        b'{"title": "t", "url": "https://e.com", "share_texts": [{"network": "x", "text": "a", "z": 1}]}',
        "share_texts.0.z",
        id="share-text-unknown-field",
    ),
    pytest.param(
        b'{"title": "t", "url": "https://e.com", "share_texts": [{"network": "x", "text": ""}]}',
        "share_texts.0.text",
        id="share-text-empty",
    ),
    pytest.param(b'{"title": "t", "url": "https://e.com", "language": "English"}', "language", id="language"),
    pytest.param(b'{"title": "t", "url": "https://e.com", "origin": "stolen"}', "origin", id="origin"),
    pytest.param(b'{"title": "t", "url": "https://e.com", "featured": "very"}', "featured", id="featured"),
    pytest.param(
        b'{"title": "t", "url": "https://e.com", "topics": [' + b",".join([b'"t"'] * 21) + b"]}",
        "topics",
        id="too-many-topics",
    ),
    pytest.param(
        b'{"title": "t", "url": "https://e.com", "publish_at": "2026-01-01T00:00:00"}', "publish_at", id="naive-time"
    ),
    pytest.param(b'{"title": "t", "url": "https://e.com", "expires_at": "soon"}', "expires_at", id="not-a-time"),
    pytest.param(b'{"title": "t", "url": "https://e.com", "campaign_id": "three"}', "campaign_id", id="campaign"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_malformed_content_is_400_naming_the_field(api, cast, body, field):
    response = api.post("/api/v1/content", cast.erin, content=body, headers={"content-type": "application/json"})
    api.problem(response, 400, field=field)


RULE_BREAKS = [
    pytest.param({"url": "ftp://example.com/a"}, "url", id="url-scheme"),
    pytest.param({"url": "example.com/a"}, "url", id="url-relative"),
    pytest.param({"image_url": "javascript:alert(1)"}, "image_url", id="image-url"),
    pytest.param(
        {"publish_at": "2027-01-02T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z"}, "expires_at", id="window-order"
    ),
    pytest.param(
        {"publish_at": "2027-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z"}, "expires_at", id="empty-window"
    ),
    pytest.param({"topics": ["t" * 65]}, "topics", id="topic-too-long"),
    pytest.param({"campaign_id": 999}, "campaign_id", id="unknown-campaign"),
    pytest.param({"origin": "curated", "author_id": 999}, "author_id", id="unknown-author"),
    pytest.param({"share_texts": [{"network": "x", "text": "   "}]}, "share_texts", id="blank-share-text"),
]


@pytest.mark.parametrize(("fields", "field"), RULE_BREAKS)
def test_content_breaking_a_rule_is_422_naming_the_field(api, cast, fields, field):
    response = api.post("/api/v1/content", cast.erin, {"title": "t", "url": "https://example.com", **fields})
    api.problem(response, 422, field=field)


def test_a_suggested_text_for_an_unknown_network_is_422_naming_share_texts(api, cast):
    response = api.post(
        "/api/v1/content",
        cast.erin,
        {"title": "t", "url": "https://example.com", "share_texts": [{"network": "myspace", "text": "Hi"}]},
    )
    body = api.problem(response, 422, detail="unknown network 'myspace'")
    # The body has no "network" field: the culprit is the suggestion in share_texts.
    assert body["field"].startswith("share_texts"), body


def test_ambassadors_do_not_create_official_content(api, cast):
    response = api.post("/api/v1/content", cast.amir, {"title": "t", "url": "https://example.com"})
    api.problem(response, 403, detail="only editors create official content")


def test_ambassadors_suggest_content_only_as_its_author(api, cast):
    body = {"title": "t", "url": "https://example.com", "origin": "curated", "author_id": cast.bea.id}
    api.problem(api.post("/api/v1/content", cast.amir, body), 403, detail="only suggest content as its author")


def test_ambassadors_do_not_feature_content(api, cast):
    body = {"title": "t", "url": "https://example.com", "origin": "curated", "featured": True}
    api.problem(api.post("/api/v1/content", cast.amir, body), 403, detail="only editors feature content")


def test_reading_missing_content_is_404(api, cast):
    api.problem(api.get("/api/v1/content/4242", cast.erin), 404, detail="content 4242 not found")


# -- changing -------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_replaces_lists(api, cast):
    content = api.create_content(cast.erin, **FULL)
    response = api.patch(
        f"/api/v1/content/{content['id']}",
        cast.erin,
        {"title": "New title", "topics": ["news"], "share_texts": [{"network": "x", "text": "Only"}]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "New title"
    assert body["topics"] == ["news"]
    assert [(t["network"], t["text"]) for t in body["share_texts"]] == [("x", "Only")]
    assert body["summary"] == FULL["summary"]
    assert body["audience"] == content["audience"]
    assert body["updated_at"] >= content["updated_at"]


def test_times_sent_with_an_offset_are_answered_in_utc_by_every_route(api, cast):
    created = api.create_content(cast.erin, publish_at="2030-01-01T08:00:00+01:00")
    assert created["publish_at"] == "2030-01-01T07:00:00Z"
    changed = api.patch(f"/api/v1/content/{created['id']}", cast.erin, {"expires_at": "2030-02-01T08:00:00-05:00"})
    assert changed.json()["expires_at"] == "2030-02-01T13:00:00Z"
    assert api.get(f"/api/v1/content/{created['id']}", cast.erin).json() == changed.json()


def test_patch_may_clear_optional_fields(api, cast):
    content = api.create_content(cast.erin, **FULL)
    body = api.patch(
        f"/api/v1/content/{content['id']}", cast.erin, {"image_url": None, "expires_at": None, "audience": {}}
    ).json()
    assert body["image_url"] is None
    assert body["expires_at"] is None
    assert body["audience"] == {"teams": [], "departments": [], "locales": []}


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"title": None}, 422, "title"),
        ({"url": None}, 422, "url"),
        ({"featured": None}, 422, "featured"),
        ({"url": "mailto:x@example.com"}, 422, "url"),
        ({"expires_at": "2019-12-31T00:00:00Z"}, 422, "expires_at"),  # before the stored publish_at
        ({"campaign_id": 999}, 422, "campaign_id"),
        ({"topics": ["x" * 65]}, 422, "topics"),
        ({"title": ""}, 400, "title"),
        ({"origin": "curated"}, 400, "origin"),
        ({"author_id": 3}, 400, "author_id"),
        ({"status": "approved"}, 400, "status"),
        ({"featured": "yes please"}, 400, "featured"),
    ],
)
def test_bad_changes(api, cast, changes, status, field):
    content = api.create_content(cast.erin, **FULL)
    response = api.patch(f"/api/v1/content/{content['id']}", cast.erin, changes)
    api.problem(response, status, field=field)


def test_patching_missing_content_is_404(api, cast):
    api.problem(api.patch("/api/v1/content/4242", cast.erin, {"title": "x"}), 404)


def test_archived_content_cannot_be_changed(api, cast):
    content = api.create_content(cast.erin)
    api.moved(cast.erin, content["id"], "archive")
    api.problem(api.patch(f"/api/v1/content/{content['id']}", cast.erin, {"title": "x"}), 409, detail="reopen")


def test_editors_change_approved_content(api, cast):
    content = api.approved_content(cast.erin)
    response = api.patch(f"/api/v1/content/{content['id']}", cast.erin, {"featured": True})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_authors_change_their_draft_until_it_is_submitted(api, cast):
    content = api.create_content(cast.amir, origin="curated")
    url = f"/api/v1/content/{content['id']}"
    assert api.patch(url, cast.amir, {"title": "Better"}).json()["title"] == "Better"
    api.problem(api.patch(url, cast.amir, {"featured": True}), 403, detail="only editors feature content")
    api.moved(cast.amir, content["id"], "submit")
    api.problem(api.patch(url, cast.amir, {"title": "Sneaky"}), 403, detail="submitted")
    api.moved(cast.erin, content["id"], "request_changes")
    assert api.patch(url, cast.amir, {"title": "Fixed"}).status_code == 200


def test_ambassadors_cannot_change_shareable_content_they_did_not_write(api, cast):
    content = api.approved_content(cast.erin)
    api.problem(api.patch(f"/api/v1/content/{content['id']}", cast.amir, {"title": "Mine now"}), 403)


# -- deleting -------------------------------------------------------------------------


def test_deleting_a_draft(api, cast):
    content = api.create_content(cast.erin)
    response = api.delete(f"/api/v1/content/{content['id']}", cast.erin)
    assert response.status_code == 204
    assert response.content == b""
    api.problem(api.get(f"/api/v1/content/{content['id']}", cast.erin), 404)
    api.problem(api.delete(f"/api/v1/content/{content['id']}", cast.erin), 404)


@pytest.mark.parametrize(
    "actions", [("submit",), ("submit", "approve"), ("submit", "reject"), ("archive",)], ids="-".join
)
def test_only_drafts_are_deleted(api, cast, actions):
    content = api.create_content(cast.erin)
    api.moved(cast.erin, content["id"], *actions)
    api.problem(api.delete(f"/api/v1/content/{content['id']}", cast.erin), 409, detail="only drafts can be deleted")


def test_authors_delete_their_own_draft(api, cast):
    content = api.create_content(cast.amir, origin="produced")
    assert api.delete(f"/api/v1/content/{content['id']}", cast.amir).status_code == 204


def test_a_draft_that_was_shared_before_is_archived_not_deleted(api, cast):
    content = api.approved_content(cast.erin)
    api.share(cast.amir, content["id"])
    api.moved(cast.erin, content["id"], "archive", "reopen")
    response = api.delete(f"/api/v1/content/{content['id']}", cast.erin)
    api.problem(response, 409)
    assert api.get(f"/api/v1/content/{content['id']}", cast.erin).status_code == 200


# -- the lifecycle ----------------------------------------------------------------------


def test_the_lifecycle_with_allowed_actions_for_author_and_editor(api, cast):
    author, editor = cast.amir, cast.erin
    content_id = api.create_content(author, origin="curated")["id"]
    url = f"/api/v1/content/{content_id}"

    def seen(who):
        body = api.get(url, who).json()
        return body["status"], body["allowed_actions"]

    assert seen(author) == ("draft", ["submit"])
    assert seen(editor) == ("draft", ["submit", "archive"])

    assert api.moved(author, content_id, "submit")["allowed_actions"] == ["withdraw"]
    assert seen(editor) == ("submitted", ["withdraw", "approve", "reject", "request_changes", "archive"])
    assert api.moved(author, content_id, "withdraw")["status"] == "draft"
    api.moved(author, content_id, "submit")

    api.problem(api.move(editor, content_id, "request_changes"), 422, field="note")
    api.problem(api.move(editor, content_id, "request_changes", note="   "), 422, field="note")
    changed = api.moved(editor, content_id, "request_changes")
    assert changed["status"] == "changes_requested"
    assert changed["status_note"] == "because"
    assert seen(author) == ("changes_requested", ["submit"])

    api.moved(author, content_id, "submit")
    api.problem(api.move(editor, content_id, "reject"), 422, field="note", detail="needs a note")
    rejected = api.move(editor, content_id, "reject", note="  Off-brand  ")
    assert rejected.json()["status_note"] == "Off-brand"
    assert seen(editor) == ("rejected", ["archive", "reopen"])
    assert seen(author) == ("rejected", [])

    api.moved(editor, content_id, "reopen", "submit")
    approved = api.moved(editor, content_id, "approve")
    assert approved["status"] == "approved"
    assert approved["status_note"] is None
    assert seen(editor) == ("approved", ["archive"])
    assert seen(author) == ("approved", [])

    api.problem(api.move(editor, content_id, "approve"), 409, detail="allowed now: archive")
    api.moved(editor, content_id, "archive")
    assert seen(editor) == ("archived", ["reopen"])
    body = api.problem(api.move(editor, content_id, "approve"), 409)
    assert body["detail"] == "cannot approve content that is archived (allowed now: reopen)"
    assert api.moved(editor, content_id, "reopen")["status"] == "draft"


@pytest.mark.parametrize(
    ("before", "action"),
    [
        ((), "approve"),
        ((), "withdraw"),
        ((), "reopen"),
        (("submit",), "submit"),
        (("submit", "approve"), "submit"),
        (("submit", "approve"), "reject"),
        (("archive",), "archive"),
        (("archive",), "submit"),
    ],
)
def test_transitions_not_allowed_from_the_current_state_are_409(api, cast, before, action):
    content = api.create_content(cast.erin)
    api.moved(cast.erin, content["id"], *before)
    api.problem(api.move(cast.erin, content["id"], action, note="n"), 409, detail=f"cannot {action.replace('_', ' ')}")


@pytest.mark.parametrize("action", ["approve", "reject", "request_changes", "archive", "reopen"])
def test_authors_cannot_take_editor_actions(api, cast, action):
    content = api.create_content(cast.amir, origin="curated")
    api.moved(cast.amir, content["id"], "submit")
    api.problem(api.move(cast.amir, content["id"], action, note="n"), 403, detail="only editors")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "publish"}, "action"),
        ({}, "action"),
        ({"action": "approve", "why": "x"}, "why"),
        ({"action": "reject", "note": "n" * 2001}, "note"),
        ({"action": 3}, "action"),
    ],
)
def test_malformed_transitions_are_400(api, cast, body, field):
    content = api.create_content(cast.erin)
    api.problem(api.post(f"/api/v1/content/{content['id']}/transitions", cast.erin, body), 400, field=field)


def test_transitions_of_missing_content_are_404(api, cast):
    api.problem(api.move(cast.erin, 4242, "submit"), 404)


def test_transitions_are_recorded_for_the_author(api, cast):
    content = api.create_content(cast.amir, origin="curated")
    api.moved(cast.amir, content["id"], "submit")
    api.moved(cast.erin, content["id"], "approve")
    events = api.get("/api/v1/me/events", cast.amir).json()
    approved = [event for event in events if event["kind"] == "content.approved"]
    assert len(approved) == 1
    assert approved[0]["content_id"] == content["id"]
    assert approved[0]["payload"]["from"] == "submitted"
    assert approved[0]["payload"]["by"] == cast.erin.id


# -- listing ----------------------------------------------------------------------------


def test_editors_list_the_whole_library_newest_first_with_filters(api, cast):
    campaign = api.create_campaign(cast.erin)
    first = api.create_content(cast.erin, topics=["Jobs"])
    second = api.approved_content(cast.erin, campaign_id=campaign["id"])
    third = api.create_content(cast.amir, origin="curated", topics=["jobs", "fun"])

    def ids(query=""):
        response = api.get(f"/api/v1/content{query}", cast.erin)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [third["id"], second["id"], first["id"]]
    assert ids("?status=approved") == [second["id"]]
    assert ids("?origin=curated") == [third["id"]]
    assert ids(f"?campaign_id={campaign['id']}") == [second["id"]]
    assert ids("?topic=JOBS") == [third["id"], first["id"]]
    assert ids("?mine=true") == []  # official content has no author
    listed = api.get("/api/v1/content", cast.erin).json()
    assert listed["total"] == 3
    assert listed["items"][1]["allowed_actions"] == ["archive"]


def test_mine_lists_what_i_wrote(api, cast):
    mine = api.create_content(cast.amir, origin="curated")
    api.create_content(cast.bea, origin="curated")
    api.approved_content(cast.erin)
    body = api.get("/api/v1/content?mine=true", cast.amir).json()
    assert [item["id"] for item in body["items"]] == [mine["id"]]
    assert body["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=published", "status"),
        ("origin=x", "origin"),
        ("campaign_id=abc", "campaign_id"),
        ("mine=perhaps", "mine"),
    ],
)
def test_bad_list_filters_are_400(api, cast, query, field):
    api.problem(api.get(f"/api/v1/content?{query}", cast.erin), 400, field=field)
