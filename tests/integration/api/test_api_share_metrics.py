"""A share's metric history over HTTP: who may read it."""

from __future__ import annotations


def history(api, who, share_id):
    response = api.get(f"/api/v1/shares/{share_id}/metrics", who)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_owner_editors_and_admins_read_a_shares_metrics_others_do_not(api, cast, linkedin_share):
    share_id = linkedin_share["id"]
    for reader in (cast.amir, cast.erin, cast.ada):
        assert history(api, reader, share_id)["share_id"] == share_id
    api.problem(api.get(f"/api/v1/shares/{share_id}/metrics", cast.bea), 404, detail=f"share {share_id} not found")
    api.problem(api.get("/api/v1/shares/999999/metrics", cast.ada), 404)
