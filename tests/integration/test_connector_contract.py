"""The connector contract: every built-in and contrib connector keeps it, and it catches broken ones."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import pytest

import clarion_plugins.connectors
from clarion.connectors import Capability, Connector, SharePost, TextCheck, length_check
from clarion.testing.connector_checks import (
    CONTRACT_CHECKS,
    RAW_URL,
    ContractViolation,
    check_connector_contract,
    contract_violations,
)
from clarion.testing.contract import ConnectorContract

ROOT = Path(__file__).resolve().parents[2]
HELLO_CONNECTOR = ROOT / "contrib" / "clarion-hello" / "src" / "clarion_hello" / "connector.py"


def builtin_connector_modules() -> list[str]:
    # Listing the package's files, not DEFAULT_PLUGINS, so a new module is covered before it is registered.
    package = clarion_plugins.connectors
    return sorted(f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__))


class DefaultSettingsEngine:
    """Stands in for the engine while one module registers: its own settings, at their defaults."""

    def __init__(self, module: ModuleType) -> None:
        register_config = getattr(module, "clarion_config_register", None)
        self.schema = call_hookimpl(register_config, self) if register_config is not None else None

    def plugin_config(self, plugin_name: str):
        assert self.schema is not None, f"{plugin_name} asks for settings but declares none"
        return self.schema()


def call_hookimpl(function, engine):
    # pluggy passes only the arguments an implementation names.
    wanted = inspect.signature(function).parameters
    return function(**({"engine": engine} if "engine" in wanted else {}))


def registered_connectors(module_name: str) -> list[Connector]:
    module = importlib.import_module(module_name)
    return list(call_hookimpl(module.clarion_connectors_register, DefaultSettingsEngine(module)) or [])


def import_hello_connector():
    # The contrib package may not be installed; its connector module imports clarion_hello.settings.
    source = str(HELLO_CONNECTOR.parent.parent)
    added = source not in sys.path
    if added:
        sys.path.insert(0, source)
    try:
        from clarion_hello.connector import HelloConnector
        from clarion_hello.settings import HelloSettings
    finally:
        if added:
            sys.path.remove(source)
    return HelloConnector(HelloSettings())


@pytest.mark.parametrize("module_name", builtin_connector_modules())
def test_every_builtin_module_registers_a_connector(module_name):
    assert registered_connectors(module_name), f"{module_name} registers no connector"


class TestBuiltinConnectorsKeepTheContract(ConnectorContract):
    """The suite plugin authors subclass (``clarion.testing.contract``), run on every built-in."""

    @pytest.fixture(
        params=[connector for name in builtin_connector_modules() for connector in registered_connectors(name)],
        ids=lambda connector: connector.key,
    )
    def connector(self, request):
        return request.param


def test_every_builtin_module_is_discovered():
    names = {name.rsplit(".", 1)[1] for name in builtin_connector_modules()}
    assert {"linkedin", "x", "facebook", "email", "threads", "xing", "whatsapp", "telegram", "reddit", "teams"} <= names


def test_connectors_of_the_default_engine_keep_the_contract(clarion_engine):
    connectors = clarion_engine.connectors()
    assert connectors
    for connector in connectors.values():
        check_connector_contract(connector)


class TestContribHelloConnectorKeepsTheContract(ConnectorContract):
    @pytest.fixture
    def connector(self):
        assert HELLO_CONNECTOR.exists()
        return import_hello_connector()


def test_the_contract_class_fails_a_broken_connector():
    checks = dict(CONTRACT_CHECKS)
    contract = ConnectorContract()
    contract.test_keeps_the_contract(RawUrlConnector(), checks["key"])
    with pytest.raises(AssertionError, match=r"tracked link"):
        contract.test_keeps_the_contract(RawUrlConnector(), checks["intent_carries_tracked_link"])


@pytest.mark.parametrize(("name", "check"), CONTRACT_CHECKS, ids=[name for name, _ in CONTRACT_CHECKS])
def test_each_check_passes_for_a_well_behaved_connector(name, check):
    check(GoodConnector())


# -- Connectors that break the contract -----------------------------------------------------


class GoodConnector(Connector):
    key = "good-network"
    label = "Good Network"

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), 1000, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return "https://good.example/share?" + urlencode({"text": post.text, "url": post.link})


class RawUrlConnector(GoodConnector):
    content_url = RAW_URL

    def share_intent_url(self, post: SharePost) -> str:
        return "https://good.example/share?" + urlencode({"text": post.text, "url": self.content_url})


class TitleAsLinkConnector(GoodConnector):
    def share_intent_url(self, post: SharePost) -> str:
        return "https://good.example/share?" + urlencode({"text": f"{post.title} {post.link}"})


class UpperCaseKeyConnector(GoodConnector):
    key = "LinkedIn"


class UnencodedConnector(GoodConnector):
    def share_intent_url(self, post: SharePost) -> str:
        return f"https://good.example/share?text={post.text}&url={post.link}"


class HttpConnector(GoodConnector):
    def share_intent_url(self, post: SharePost) -> str:
        return super().share_intent_url(post).replace("https://", "http://")


class NoLimitEnforcedConnector(GoodConnector):
    def check_text(self, post: SharePost) -> TextCheck:
        return TextCheck(length=len(post.body), limit=500)


class EmojiCrashConnector(GoodConnector):
    def check_text(self, post: SharePost) -> TextCheck:
        post.text.encode("ascii")
        return super().check_text(post)


class PublishWithoutMethodConnector(GoodConnector):
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH})


class NoIntentConnector(GoodConnector):
    label = " "
    capabilities = frozenset({Capability.METRICS})


@pytest.mark.parametrize(
    ("connector", "broken_checks"),
    [
        pytest.param(RawUrlConnector(), {"intent_carries_tracked_link", "intent_never_leaks_raw_url"}, id="raw-url"),
        pytest.param(TitleAsLinkConnector(), {"intent_never_leaks_raw_url"}, id="title-in-text"),
        pytest.param(UpperCaseKeyConnector(), {"key"}, id="upper-case-key"),
        pytest.param(UnencodedConnector(), {"intent_carries_tracked_link"}, id="unencoded"),
        pytest.param(HttpConnector(), {"intent_carries_tracked_link"}, id="plain-http"),
        pytest.param(NoLimitEnforcedConnector(), {"very_long_post_refused"}, id="limit-not-enforced"),
        pytest.param(EmojiCrashConnector(), {"unicode_text"}, id="crashes-on-emoji"),
        pytest.param(PublishWithoutMethodConnector(), {"capabilities_implemented"}, id="publish-not-implemented"),
        pytest.param(NoIntentConnector(), {"label", "intent_capability", "capabilities_implemented"}, id="no-intent"),
    ],
)
def test_the_contract_catches_a_broken_connector(connector, broken_checks):
    violations = contract_violations(connector)
    assert {violation.split(":", 1)[0] for violation in violations} >= broken_checks
    with pytest.raises(AssertionError) as caught:
        check_connector_contract(connector)
    assert isinstance(caught.value, ContractViolation)
    for name in broken_checks:
        assert f"- {name}: " in str(caught.value)


def test_a_violation_message_names_the_connector_and_the_problem():
    with pytest.raises(ContractViolation, match=r"(?s)RawUrlConnector \('good-network'\).*tracked link"):
        check_connector_contract(RawUrlConnector())
