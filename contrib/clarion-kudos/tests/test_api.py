"""The kudos API: giving thanks for a share, reading one's own lists, and every refusal as problem+json."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


def test_a_colleague_thanks_an_ambassador_for_a_share(clarion_client, clarion_people, shared):
    amir, bea = clarion_people("amir", name="Amir Haddad"), clarion_people("bea", name="Bea Jansen")
    share_id = shared(amir, title="Our new office")
    given = clarion_client.post(
        "/api/v1/kudos", headers=bea.headers, json={"share_id": share_id, "message": " Great post! "}
    )
    assert given.status_code == 201, given.text
    body = given.json()
    assert body["giver"] == {"id": bea.id, "name": "Bea Jansen"}
    assert body["receiver"] == {"id": amir.id, "name": "Amir Haddad"}
    assert (body["share_id"], body["content_title"], body["network"]) == (share_id, "Our new office", "linkedin")
    assert (body["message"], body["message_hidden"]) == ("Great post!", False)
    received = clarion_client.get("/api/v1/kudos/received", headers=amir.headers).json()
    assert (received["total"], [item["id"] for item in received["items"]]) == (1, [body["id"]])
    assert clarion_client.get("/api/v1/kudos/given", headers=bea.headers).json()["items"] == [body]
    assert clarion_client.get("/api/v1/kudos/given", headers=amir.headers).json()["total"] == 0
    # The receiver's event log says so, as every other event about them.
    events = clarion_client.get("/api/v1/me/events", headers=amir.headers).json()
    kinds = [event["kind"] for event in (events["items"] if isinstance(events, dict) else events)]
    assert "kudos.received" in kinds


def test_one_kudos_per_giver_and_share(clarion_client, clarion_people, shared):
    amir, bea, cas = clarion_people("amir"), clarion_people("bea"), clarion_people("cas")
    share_id = shared(amir)
    assert clarion_client.post("/api/v1/kudos", headers=bea.headers, json={"share_id": share_id}).status_code == 201
    again = problem(clarion_client.post("/api/v1/kudos", headers=bea.headers, json={"share_id": share_id}), 409)
    assert again["detail"] == "you already thanked Amir for this share"
    assert clarion_client.post("/api/v1/kudos", headers=cas.headers, json={"share_id": share_id}).status_code == 201
    assert clarion_client.get("/api/v1/kudos/received", headers=amir.headers).json()["total"] == 2


def test_nobody_thanks_themselves(clarion_client, clarion_people, shared):
    amir = clarion_people("amir", role="admin")
    refused = problem(clarion_client.post("/api/v1/kudos", headers=amir.headers, json={"share_id": shared(amir)}), 403)
    assert refused["detail"] == "you cannot thank yourself for your own share"


def test_an_ambassador_never_reads_someone_elses_kudos(clarion_client, clarion_people, shared):
    amir, bea = clarion_people("amir"), clarion_people("bea")
    admin, editor = clarion_people("root", role="admin"), clarion_people("ed", role="editor")
    clarion_client.post("/api/v1/kudos", headers=bea.headers, json={"share_id": shared(amir)})
    for who in (bea, editor):
        for listing in ("received", "given"):
            refused = clarion_client.get(f"/api/v1/kudos/{listing}?ambassador_id={amir.id}", headers=who.headers)
            assert problem(refused, 403)["detail"] == "only admins may read someone else's kudos"
    # Naming oneself is reading one's own; an admin reads anyone's.
    assert (
        clarion_client.get(f"/api/v1/kudos/received?ambassador_id={amir.id}", headers=amir.headers).json()["total"] == 1
    )
    assert (
        clarion_client.get(f"/api/v1/kudos/received?ambassador_id={amir.id}", headers=admin.headers).json()["total"]
        == 1
    )
    assert clarion_client.get(f"/api/v1/kudos/given?ambassador_id={bea.id}", headers=admin.headers).json()["total"] == 1
    assert clarion_client.get("/api/v1/kudos/received").status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"share_id": "one"}, 400),
        ({"share_id": 0}, 400),
        ({"share_id": 2**31}, 400),
        ({"share_id": 1, "message": "x" * 281}, 400),
        ({"share_id": 1, "colour": "red"}, 400),
        ({"share_id": 999}, 404),
    ],
)
def test_bad_input_is_a_problem(clarion_client, clarion_people, shared, body, status):
    amir, bea = clarion_people("amir"), clarion_people("bea")
    shared(amir)
    assert problem(clarion_client.post("/api/v1/kudos", headers=bea.headers, json=body), status)["detail"]


def test_bad_paging_is_a_problem(clarion_client, clarion_people):
    amir = clarion_people("amir")
    assert problem(clarion_client.get("/api/v1/kudos/received?limit=0", headers=amir.headers), 400)
    assert problem(clarion_client.get("/api/v1/kudos/received?limit=1000", headers=amir.headers), 422)
    assert problem(clarion_client.get("/api/v1/kudos/shares?limit=101", headers=amir.headers), 400)


@pytest.mark.parametrize(
    "author_fields",
    [{"opted_in": False}, {"leaderboard_visible": False}],
    ids=["not taking part", "hidden from colleagues"],
)
def test_only_people_taking_part_and_visible_can_be_thanked(clarion_client, clarion_people, shared, author_fields):
    """Thanking someone hidden would tell the giver their name: the answer is the plain 'not found'."""
    amir, bea = clarion_people("amir", **author_fields), clarion_people("bea")
    share_id = shared(amir)
    refused = problem(clarion_client.post("/api/v1/kudos", headers=bea.headers, json={"share_id": share_id}), 404)
    assert refused["detail"] == f"share {share_id} not found"
    assert clarion_client.get("/api/v1/kudos/shares", headers=bea.headers).json() == []


def test_the_shares_i_may_thank(clarion_client, clarion_people, shared):
    amir, bea = clarion_people("amir"), clarion_people("bea")
    first, second = shared(amir, title="First"), shared(amir, title="Second")
    shared(bea, title="Mine")
    clarion_client.post("/api/v1/kudos", headers=bea.headers, json={"share_id": first})
    listed = clarion_client.get("/api/v1/kudos/shares", headers=bea.headers).json()
    assert [(item["share_id"], item["content_title"], item["thanked"]) for item in listed] == [
        (second, "Second", False),
        (first, "First", True),
    ]
    assert listed[0]["author"] == {"id": amir.id, "name": "Amir"}


def test_the_api_is_in_the_openapi_document(clarion_client):
    paths = clarion_client.get("/schema/openapi.json").json()["paths"]
    assert {"/api/v1/kudos", "/api/v1/kudos/received", "/api/v1/kudos/given", "/api/v1/kudos/shares"} <= set(paths)
    assert not any(path.startswith("/admin/kudos") for path in paths)
