"""The connector contract as a test class: subclass it, give it your connector, get one test per rule.

::

    import pytest
    from clarion.testing.contract import ConnectorContract

    class TestMyConnector(ConnectorContract):
        @pytest.fixture
        def connector(self, clarion_engine_factory):
            return clarion_engine_factory(plugins={"my-plugin": my_plugin}).connector("mynetwork")

pytest then runs every check of :mod:`clarion.testing.connector_checks` against that connector, each
reported by name (``test_keeps_the_contract[intent_carries_tracked_link]``), so a broken rule
says which one. The checks are pure: no network and no database unless your fixture uses them.

A connector that publishes through an API also keeps :class:`PublishingContract`, run against a
fake of its network (:mod:`clarion.testing.fakes`): what a network's answers must turn into, so
the engine retries, waits, refreshes or reconciles correctly.
"""

from __future__ import annotations

import pytest

from clarion.connectors import Connector, ConnectorContext, Credential, PublishedPost, SharePost
from clarion.errors import AuthExpired, RateLimited, Transient, UnknownOutcome
from clarion.testing.connector_checks import (
    CONTRACT_CHECKS,
    TRACKED_LINK,
    ContractCheck,
    ContractViolation,
    check_connector_contract,
    contract_violations,
)
from clarion.testing.fakes import FakeServer


class ConnectorContract:
    """Every rule a Clarion connector keeps, one parametrised test per rule.

    Subclasses are collected by pytest when their name starts with ``Test``; they must define a
    ``connector`` fixture returning the connector instance (as its plugin registers it).
    """

    @pytest.fixture
    def connector(self) -> Connector:
        pytest.fail(f"{type(self).__name__} must define a `connector` fixture returning the connector to check")

    @pytest.mark.parametrize(
        "check", [check for _, check in CONTRACT_CHECKS], ids=[name for name, _ in CONTRACT_CHECKS]
    )
    def test_keeps_the_contract(self, connector: Connector, check: ContractCheck) -> None:
        check(connector)


class PublishingContract:
    """How an API-publishing connector reads its network's answers, checked against a fake network.

    Subclass it as ``Test…`` and provide four fixtures and one attribute:

    - ``fake``: the running :class:`~clarion.testing.fakes.FakeServer` of the network;
    - ``connector``: the connector, configured to call ``fake.url``;
    - ``context``: a :class:`~clarion.connectors.ConnectorContext` for it (an ``httpx.Client``
      with a short read timeout, the connector's settings);
    - ``credential``: a credential the fake accepts (connect through the fake's flow);
    - ``publish_path``: the path of the network's create-post call, such as ``/api/v1/statuses``;
    - ``network_sends_retry_after`` (optional): ``False`` when the real network's 429 carries no
      ``Retry-After`` and the connector estimates the wait itself.

    Example::

        class TestMastodonPublishing(PublishingContract):
            publish_path = "/api/v1/statuses"

    with ``fake``, ``connector``, ``context`` and ``credential`` fixtures in the module.
    """

    publish_path: str = ""
    network_sends_retry_after = True
    """False for a network whose 429 never says when (LinkedIn): the connector's own estimate is checked."""
    post = SharePost(text="Clarion contract post", link=TRACKED_LINK)

    def _publish(self, connector: Connector, context: ConnectorContext, credential: Credential) -> PublishedPost:
        return connector.publish(context, credential, self.post, idempotency_key="clarion-contract")

    def test_publish_returns_the_post_once(self, fake: FakeServer, connector, context, credential) -> None:
        published = self._publish(connector, context, credential)
        assert isinstance(published, PublishedPost)
        assert isinstance(published.external_id, str), "publish must name the new post"
        assert published.external_id, "publish must name the new post"
        assert fake.count(self.publish_path, method="POST") == 1, f"{self.publish_path} must be called once"

    def test_429_is_rate_limited_with_retry_after(self, fake: FakeServer, connector, context, credential) -> None:
        fake.fail_next(self.publish_path, 429, {"error": "rate limited"}, headers={"Retry-After": "7"}, method="POST")
        with pytest.raises(RateLimited) as caught:
            self._publish(connector, context, credential)
        assert caught.value.retryable
        assert caught.value.retry_after is not None, "a rate limit must say when to try again"
        if self.network_sends_retry_after:
            assert 6 <= caught.value.retry_after <= 7, (
                "a 429's Retry-After must become retry_after (clarion.connector_http.retry_after reads it)"
            )
        else:
            assert caught.value.retry_after > 0

    def test_server_error_is_transient(self, fake: FakeServer, connector, context, credential) -> None:
        fake.fail_next(self.publish_path, 503, {"error": "unavailable"}, method="POST")
        with pytest.raises(Transient) as caught:
            self._publish(connector, context, credential)
        assert caught.value.retryable

    def test_refused_token_is_auth_expired(self, fake: FakeServer, connector, context, credential) -> None:
        fake.fail_next(self.publish_path, 401, {"error": "invalid_token"}, method="POST")
        with pytest.raises(AuthExpired):
            self._publish(connector, context, credential)

    def test_lost_answer_is_an_unknown_outcome(self, fake: FakeServer, connector, context, credential) -> None:
        # The network created the post but the answer never came: retrying blindly would post twice.
        fake.drop_next(self.publish_path, method="POST")
        with pytest.raises(UnknownOutcome):
            self._publish(connector, context, credential)


__all__ = [
    "ConnectorContract",
    "ContractViolation",
    "PublishingContract",
    "check_connector_contract",
    "contract_violations",
]
