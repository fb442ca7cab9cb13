"""examples/intranet/serve.py: the page it serves and the tokens its backend mints (the browser tests drive it too)."""

from __future__ import annotations

import html
import http.client
import importlib.util
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from clarion.testing import TEST_SECRET
from clarion.tokens import EXCHANGE_MAX_TTL_SECONDS, verify_token

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "intranet" / "serve.py"


def load() -> ModuleType:
    name = "clarion_example_intranet"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def intranet() -> Iterator[Any]:
    # Clarion is deliberately unreachable here: the page must still render and say so.
    server = load().make_server("http://127.0.0.1:9", TEST_SECRET, port=0, user="amir")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def request(
    server: Any, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, {key.lower(): value for key, value in response.getheaders()}, body


def test_the_page_embeds_every_mode_with_single_use_tokens_in_fragments(intranet):
    status, headers, page = request(intranet, "GET", "/?user=bea")
    assert status == 200
    assert '<script src="http://127.0.0.1:9/embed.js" defer></script>' in page
    names = [
        "onboarding",
        "feed",
        "my-impact",
        "my-queue",
        "profile",
        "campaign",
        "submit",
        "challenges",
        "leaderboard",
    ]
    assert re.findall(r'<clarion-widget name="([^"]+)"', page) == names
    assert '<clarion-widget name="campaign" token-url="/clarion-token" data-campaign="engineering-hiring">' in page
    sources = [html.unescape(source) for source in re.findall(r'<iframe data-clarion [^>]*src="([^"]+)"', page)]
    assert [source.split("/embed/")[1].split("?")[0] for source in sources] == names
    assert "campaign=engineering-hiring&parent=" in sources[names.index("campaign")]
    tokens = []
    for source in sources:
        before, _, fragment = source.partition("#token=")
        assert "token" not in before, "tokens travel in the fragment, never in the query string"
        claims = verify_token(TEST_SECRET, fragment)
        assert claims["sub"] == "bea"
        assert claims["exp"] - claims["iat"] <= EXCHANGE_MAX_TTL_SECONDS
        tokens.append(claims["jti"])
    assert len(set(tokens)) == len(names), "every iframe gets a token of its own"
    assert page.count('<div class="clarion-fragment">') == len(names)
    assert "Clarion is not reachable at http://127.0.0.1:9" in page
    assert "intranet_user=bea" in headers["set-cookie"]


def test_the_token_endpoint_mints_for_the_signed_in_user_and_only_for_its_own_pages(intranet):
    status, _, body = request(intranet, "POST", "/clarion-token", {"Cookie": "intranet_user=bea"})
    assert status == 200
    claims = verify_token(TEST_SECRET, json.loads(body)["token"])
    assert (claims["sub"], len(claims["jti"]) >= 16) == ("bea", True)
    status, _, _ = request(intranet, "POST", "/clarion-token", {"Origin": "http://evil.test"})
    assert status == 403
    assert request(intranet, "POST", "/elsewhere")[0] == 404


def test_the_script_explains_itself():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "--clarion" in result.stdout
    assert "Run it:" in (load().__doc__ or "")
