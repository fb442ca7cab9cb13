"""A plugin author's own tests: Clarion's fixtures, fakes and contract, with nothing of Clarion's repository."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import hello_net
import httpx
import pytest

from clarion.connectors import ConnectorContext, Credential, SharePost
from clarion.errors import RateLimited
from clarion.testing.contract import ConnectorContract, PublishingContract
from clarion.testing.fakes import FakeMastodon, FakeRequest, FakeResponse, FakeServer, collect_routes, route

POST = SharePost(text="Proud of our launch", link="https://clarion.example/r/Ab3dEf6hJk")


@collect_routes
class FakeHelloNet(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.posts: list[str] = []

    @route("POST", "/posts")
    def create_post(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        self.posts.append(request.json["text"])
        return FakeResponse(201, {"id": str(len(self.posts))})


class TestHelloNetKeepsTheContract(ConnectorContract):
    @pytest.fixture
    def connector(self, clarion_engine_factory):
        return clarion_engine_factory(plugins={hello_net.PLUGIN_NAME: hello_net}).connector("hello-net")


class TestHelloNetKeepsThePublishingContract(PublishingContract):
    publish_path = "/posts"

    @pytest.fixture
    def fake(self):
        with FakeHelloNet.running() as fake:
            yield fake

    @pytest.fixture
    def connector(self, fake):
        return hello_net.HelloNetConnector(hello_net.Settings(api_base=fake.url))

    @pytest.fixture
    def context(self):
        with httpx.Client(timeout=httpx.Timeout(1.0, connect=1.0)) as http:
            yield ConnectorContext(http=http)

    @pytest.fixture
    def credential(self):
        return Credential(access_token="t")


def test_publishing_through_a_fake_of_my_network():
    with FakeHelloNet.running() as fake, httpx.Client(timeout=2.0) as http:
        connector = hello_net.HelloNetConnector(hello_net.Settings(api_base=fake.url))
        context = ConnectorContext(http=http)
        published = connector.publish(context, Credential(access_token="t"), POST, idempotency_key="k")
        assert published.external_id == "1"
        assert fake.posts == [POST.body]
        fake.fail_next("/posts", 429)
        with pytest.raises(RateLimited):
            connector.publish(context, Credential(access_token="t"), POST, idempotency_key="k")
        assert fake.count("/posts") == 2


def test_clarions_fake_mastodon_is_there_too():
    with FakeMastodon.running() as fake:
        token = fake.issue_token()
        answer = httpx.get(
            f"{fake.url}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.json()["username"] == "jan"


def test_clarions_own_tests_are_not_importable():
    repo_tests = Path(os.environ["CLARION_REPO_TESTS"])
    assert not [path for path in sys.path if path and Path(path).resolve().is_relative_to(repo_tests)]
    assert importlib.util.find_spec("test_publishing") is None
