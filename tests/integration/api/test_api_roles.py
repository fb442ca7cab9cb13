"""The role matrix: every documented operation, called anonymously and as ambassador, editor and admin."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from clarion.models import Role

ROLES = ("anonymous", "ambassador", "editor", "admin")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {placeholders} filled from World
    success: int
    minimum: str  # the lowest role allowed: public, ambassador, editor or admin
    body: dict[str, Any] | None = None
    csv: str | None = None  # sent as a text/csv body instead of JSON

    def expected(self, role: str) -> int:
        if self.minimum == "public":
            return self.success
        if role == "anonymous":
            return 401
        ranks = {"ambassador": 0, "editor": 1, "admin": 2}
        return self.success if ranks[role] >= ranks[self.minimum] else 403


ROUTES = {
    ("GET", "/healthz"): Route("GET", "/healthz", 200, "public"),
    ("GET", "/api/v1/networks"): Route("GET", "/api/v1/networks", 200, "ambassador"),
    ("GET", "/api/v1/plugins"): Route("GET", "/api/v1/plugins", 200, "admin"),
    ("GET", "/api/v1/me"): Route("GET", "/api/v1/me", 200, "ambassador"),
    ("PATCH", "/api/v1/me"): Route("PATCH", "/api/v1/me", 200, "ambassador", {"locale": "nl"}),
    ("POST", "/api/v1/me/consent"): Route("POST", "/api/v1/me/consent", 200, "ambassador", {"action": "pause"}),
    ("DELETE", "/api/v1/me"): Route("DELETE", "/api/v1/me", 204, "ambassador", {"confirm": "erase"}),
    ("POST", "/api/v1/me/export"): Route("POST", "/api/v1/me/export", 202, "ambassador"),
    ("GET", "/api/v1/me/export"): Route("GET", "/api/v1/me/export", 200, "ambassador"),
    # Nothing asked for yet: 404 from the service, once the role check let the caller through.
    ("GET", "/api/v1/me/export/download"): Route("GET", "/api/v1/me/export/download", 404, "ambassador"),
    ("GET", "/api/v1/me/accounts"): Route("GET", "/api/v1/me/accounts", 200, "ambassador"),
    ("POST", "/api/v1/me/accounts"): Route(
        "POST", "/api/v1/me/accounts", 201, "ambassador", {"network": "x", "handle": "@new"}
    ),
    ("DELETE", "/api/v1/me/accounts/{account_id}"): Route(
        "DELETE", "/api/v1/me/accounts/{own_account}", 204, "ambassador"
    ),
    # LinkedIn takes no API connection in the default engine: reaching the service means 422.
    ("POST", "/api/v1/me/accounts/connect/{network}"): Route(
        "POST", "/api/v1/me/accounts/connect/linkedin", 422, "ambassador", {}
    ),
    ("GET", "/api/v1/me/accounts/connect/{network}/callback"): Route(
        "GET", "/api/v1/me/accounts/connect/linkedin/callback?state=forged&code=abc", 422, "public"
    ),
    ("GET", "/api/v1/me/feed"): Route("GET", "/api/v1/me/feed", 200, "ambassador"),
    ("GET", "/api/v1/me/events"): Route("GET", "/api/v1/me/events", 200, "ambassador"),
    ("GET", "/api/v1/content"): Route("GET", "/api/v1/content", 200, "ambassador"),
    ("POST", "/api/v1/content"): Route(
        "POST",
        "/api/v1/content",
        201,
        "ambassador",
        {"title": "Mine", "url": "https://example.com/mine", "origin": "curated"},
    ),
    ("GET", "/api/v1/content/{content_id}"): Route("GET", "/api/v1/content/{approved}", 200, "ambassador"),
    ("PATCH", "/api/v1/content/{content_id}"): Route(
        "PATCH", "/api/v1/content/{own_draft}", 200, "ambassador", {"title": "Renamed"}
    ),
    ("DELETE", "/api/v1/content/{content_id}"): Route("DELETE", "/api/v1/content/{own_draft}", 204, "ambassador"),
    ("POST", "/api/v1/content/{content_id}/transitions"): Route(
        "POST", "/api/v1/content/{own_draft}/transitions", 200, "ambassador", {"action": "submit"}
    ),
    ("GET", "/api/v1/campaigns"): Route("GET", "/api/v1/campaigns", 200, "ambassador"),
    ("POST", "/api/v1/campaigns"): Route(
        "POST", "/api/v1/campaigns", 201, "editor", {"name": "Autumn", "slug": "autumn"}
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): Route("GET", "/api/v1/campaigns/{campaign}", 200, "ambassador"),
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): Route(
        "PATCH", "/api/v1/campaigns/{campaign}", 200, "editor", {"description": "New"}
    ),
    ("DELETE", "/api/v1/campaigns/{campaign_id}"): Route("DELETE", "/api/v1/campaigns/{campaign}", 204, "editor"),
    ("POST", "/api/v1/shares"): Route(
        "POST", "/api/v1/shares", 201, "ambassador", {"content_id": "{approved}", "network": "x"}
    ),
    ("GET", "/api/v1/shares"): Route("GET", "/api/v1/shares", 200, "ambassador"),
    ("POST", "/api/v1/feed/compose"): Route(
        "POST", "/api/v1/feed/compose", 200, "ambassador", {"content_id": "{approved}", "network": "x"}
    ),
    ("GET", "/api/v1/shares/{share_id}"): Route("GET", "/api/v1/shares/{own_share}", 200, "ambassador"),
    ("POST", "/api/v1/shares/{share_id}/cancel"): Route("POST", "/api/v1/shares/{own_share}/cancel", 200, "ambassador"),
    ("POST", "/api/v1/shares/{share_id}/retry"): Route("POST", "/api/v1/shares/{own_share}/retry", 409, "ambassador"),
    ("POST", "/api/v1/shares/{share_id}/reschedule"): Route(
        "POST", "/api/v1/shares/{own_share}/reschedule", 409, "ambassador", {"scheduled_at": "2030-01-01T09:00:00Z"}
    ),
    ("GET", "/api/v1/me/daily-limits"): Route("GET", "/api/v1/me/daily-limits", 200, "ambassador"),
    ("PATCH", "/api/v1/me/daily-limits"): Route(
        "PATCH", "/api/v1/me/daily-limits", 200, "ambassador", {"limits": {"x": 2}}
    ),
    ("POST", "/api/v1/shares/{share_id}/opened"): Route("POST", "/api/v1/shares/{own_share}/opened", 200, "ambassador"),
    ("POST", "/api/v1/shares/{share_id}/verify"): Route(
        "POST", "/api/v1/shares/{own_share}/verify", 200, "ambassador", {"post_url": "https://x.com/me/status/1"}
    ),
    ("GET", "/api/v1/shares/{share_id}/metrics"): Route("GET", "/api/v1/shares/{own_share}/metrics", 200, "ambassador"),
    ("GET", "/api/v1/audit"): Route("GET", "/api/v1/audit?action=content", 200, "admin"),
    ("POST", "/api/v1/metrics/import"): Route(
        "POST",
        "/api/v1/metrics/import?dry_run=true",
        200,
        "admin",
        csv="share,metric,value,observed_at\n{published_share},impressions,3,2026-11-20\n",
    ),
    # Public: the token in the body is the credential; a forged one is refused whoever asks.
    ("POST", "/api/v1/sessions"): Route("POST", "/api/v1/sessions", 401, "public", {"token": "forged.token.here"}),
    ("GET", "/api/v1/ambassadors"): Route("GET", "/api/v1/ambassadors", 200, "admin"),
    ("POST", "/api/v1/ambassadors"): Route(
        "POST", "/api/v1/ambassadors", 201, "admin", {"external_id": "newbie", "name": "New Bie"}
    ),
    ("GET", "/api/v1/ambassadors/{ambassador_id}"): Route("GET", "/api/v1/ambassadors/{someone}", 200, "admin"),
    ("PATCH", "/api/v1/ambassadors/{ambassador_id}"): Route(
        "PATCH", "/api/v1/ambassadors/{someone}", 200, "admin", {"team": "Platform"}
    ),
    ("GET", "/api/v1/ambassadors/{ambassador_id}/accounts"): Route(
        "GET", "/api/v1/ambassadors/{someone}/accounts", 200, "admin"
    ),
    ("GET", "/api/v1/me/points"): Route("GET", "/api/v1/me/points", 200, "ambassador"),
    ("GET", "/api/v1/me/level"): Route("GET", "/api/v1/me/level", 200, "ambassador"),
    ("GET", "/api/v1/me/badges"): Route("GET", "/api/v1/me/badges", 200, "ambassador"),
    ("GET", "/api/v1/ambassadors/{ambassador_id}/badges"): Route(
        "GET", "/api/v1/ambassadors/{someone}/badges", 200, "admin"
    ),
    ("GET", "/api/v1/guidelines"): Route("GET", "/api/v1/guidelines", 200, "ambassador"),
    ("POST", "/api/v1/guidelines"): Route(
        "POST", "/api/v1/guidelines", 201, "admin", {"version": "2026-03", "body": "- Be kind."}
    ),
    ("GET", "/api/v1/guidelines/acceptance"): Route("GET", "/api/v1/guidelines/acceptance", 200, "admin"),
    ("GET", "/api/v1/leaderboards"): Route("GET", "/api/v1/leaderboards", 200, "ambassador"),
    ("GET", "/api/v1/leaderboards/employee-of-the-month"): Route(
        "GET", "/api/v1/leaderboards/employee-of-the-month", 200, "ambassador"
    ),
    ("GET", "/api/v1/ambassadors/{ambassador_id}/points"): Route(
        "GET", "/api/v1/ambassadors/{someone}/points", 200, "admin"
    ),
    ("POST", "/api/v1/ambassadors/{ambassador_id}/level"): Route(
        "POST", "/api/v1/ambassadors/{someone}/level", 200, "editor", {"level": "curation"}
    ),
    ("GET", "/api/v1/points/held"): Route("GET", "/api/v1/points/held", 200, "admin"),
    # The entry is awarded, not held: reaching the service means 409.
    ("POST", "/api/v1/points/{entry_id}/release"): Route("POST", "/api/v1/points/{own_entry}/release", 409, "admin"),
    ("POST", "/api/v1/points/{entry_id}/reject"): Route("POST", "/api/v1/points/{own_entry}/reject", 409, "admin"),
    ("GET", "/api/v1/analytics/programme"): Route("GET", "/api/v1/analytics/programme", 200, "editor"),
    ("GET", "/api/v1/analytics/campaigns/{campaign_id}"): Route(
        "GET", "/api/v1/analytics/campaigns/{campaign}", 200, "editor"
    ),
    ("GET", "/api/v1/analytics/content/{content_id}"): Route(
        "GET", "/api/v1/analytics/content/{approved}", 200, "editor"
    ),
    ("GET", "/api/v1/analytics/teams/{team}"): Route("GET", "/api/v1/analytics/teams/Platform", 200, "editor"),
    ("GET", "/api/v1/analytics/networks/{network}"): Route("GET", "/api/v1/analytics/networks/linkedin", 200, "editor"),
    ("GET", "/api/v1/analytics/ambassadors/{ambassador_id}"): Route(
        "GET", "/api/v1/analytics/ambassadors/{someone}", 200, "editor"
    ),
    ("GET", "/api/v1/analytics/breakdown"): Route("GET", "/api/v1/analytics/breakdown?by=team", 200, "editor"),
    ("GET", "/api/v1/me/analytics"): Route("GET", "/api/v1/me/analytics", 200, "ambassador"),
    ("GET", "/api/v1/me/analytics/content"): Route("GET", "/api/v1/me/analytics/content", 200, "ambassador"),
    ("GET", "/api/v1/challenges"): Route("GET", "/api/v1/challenges", 200, "editor"),
    ("POST", "/api/v1/challenges"): Route(
        "POST",
        "/api/v1/challenges",
        201,
        "editor",
        {
            "title": "Share 3 job posts",
            "kind": "individual",
            "measure": "shares",
            "target": 3,
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2099-01-01T00:00:00Z",
        },
    ),
    ("GET", "/api/v1/challenges/{challenge_id}"): Route("GET", "/api/v1/challenges/{challenge}", 200, "editor"),
    ("PATCH", "/api/v1/challenges/{challenge_id}"): Route(
        "PATCH", "/api/v1/challenges/{challenge}", 200, "editor", {"target": 4}
    ),
    ("DELETE", "/api/v1/challenges/{challenge_id}"): Route("DELETE", "/api/v1/challenges/{challenge}", 204, "editor"),
    ("GET", "/api/v1/challenges/{challenge_id}/results"): Route(
        "GET", "/api/v1/challenges/{challenge}/results", 200, "editor"
    ),
    ("GET", "/api/v1/me/challenges"): Route("GET", "/api/v1/me/challenges", 200, "ambassador"),
    ("POST", "/api/v1/me/challenges/{challenge_id}/participation"): Route(
        "POST", "/api/v1/me/challenges/{challenge}/participation", 200, "ambassador"
    ),
    # Leaving a challenge one never joined reaches the service: 404.
    ("DELETE", "/api/v1/me/challenges/{challenge_id}/participation"): Route(
        "DELETE", "/api/v1/me/challenges/{challenge}/participation", 404, "ambassador"
    ),
}


class World:
    """What a route needs to succeed for the caller, built only when a route asks for it."""

    def __init__(self, api: Any, role: str) -> None:
        self.api = api
        self.caller = None if role == "anonymous" else api.person(f"caller-{role}", Role(role))
        self.owner = self.caller or api.person("owner")
        # The guard refuses anonymous callers before any lookup, so any id will do for them.
        self.dummy_ids = role == "anonymous"

    @cached_property
    def editor(self) -> Any:
        return self.api.person("world-editor", Role.EDITOR)

    @cached_property
    def approved(self) -> int:
        return int(self.api.approved_content(self.editor)["id"])

    @cached_property
    def own_draft(self) -> int:
        return int(self.api.create_content(self.owner, origin="curated")["id"])

    @cached_property
    def own_share(self) -> int:
        return int(self.api.share(self.owner, self.approved, "linkedin")["id"])

    @cached_property
    def published_share(self) -> int:
        response = self.api.post(f"/api/v1/shares/{self.own_share}/opened", self.owner)
        assert response.status_code == 200, response.text
        return self.own_share

    @cached_property
    def own_account(self) -> int:
        return int(self.api.add_account(self.owner, "linkedin", "@mine")["id"])

    @cached_property
    def campaign(self) -> int:
        return int(self.api.create_campaign(self.editor)["id"])

    @cached_property
    def challenge(self) -> int:
        body = {
            "title": "Share 3 job posts",
            "kind": "individual",
            "measure": "shares",
            "target": 3,
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2099-01-01T00:00:00Z",
        }
        response = self.api.post("/api/v1/challenges", self.editor, body)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    @cached_property
    def own_entry(self) -> int:
        self.api.add_account(self.owner, "x", "@points")  # a first account earns onboarding points
        return int(self.api.get("/api/v1/me/points", self.owner).json()["items"][0]["id"])

    @cached_property
    def someone(self) -> int:
        return self.api.person("someone").id

    def resource(self, name: str) -> int:
        return 1 if self.dummy_ids else int(getattr(self, name))

    def fill(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("{") and value.endswith("}") and "/" not in value:
            return self.resource(value[1:-1])
        if isinstance(value, str):
            for name in (
                "approved",
                "own_draft",
                "own_share",
                "own_account",
                "campaign",
                "someone",
                "published_share",
                "own_entry",
                "challenge",
            ):
                if "{" + name + "}" in value:
                    value = value.replace("{" + name + "}", str(self.resource(name)))
            return value
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        return value


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_the_matrix_covers_every_documented_operation(api):
    documented = operations(api.get("/schema/openapi.json").json())
    assert documented == set(ROUTES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(ROUTES), ids=lambda operation: f"{operation[0]} {operation[1]}")
def test_role_matrix(api, operation, role):
    route = ROUTES[operation]
    world = World(api, role)
    path = world.fill(route.path)
    body = world.fill(route.body)
    headers = world.caller.headers if world.caller else {}
    if route.csv is not None:
        content = world.fill(route.csv).encode()
        response = api.request(route.method, path, headers={**headers, "content-type": "text/csv"}, content=content)
    else:
        response = api.request(route.method, path, headers=headers, json=body)
    expected = route.expected(role)
    assert response.status_code == expected, response.text
    if expected >= 400:
        api.problem(response, expected)
        if expected == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
