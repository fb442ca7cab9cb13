"""Meta-tests that keep the hook contract honest: names, docstrings, a test and a doc page per hook."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from clarion import hookspecs
from clarion.engine import hook_names
from clarion.plugins import ClarionPluginManager

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
VERBS = ("register", "compute", "render", "prepare")
HOOK_NAME = re.compile(rf"^clarion_(?P<noun>[a-z]+(?:_[a-z]+)*?)_(?P<verb>{'|'.join(VERBS)}|on_[a-z]+(?:_[a-z]+)*)$")


def specs() -> dict[str, object]:
    """Every function in clarion.hookspecs marked as a hook specification."""
    return {
        name: function
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "clarion_spec")
    }


HOOKS = sorted(specs())


def signature(function) -> str:
    """``name(arg: Type, …) -> Return`` with the annotations exactly as written in the source."""
    parameters = ", ".join(
        f"{parameter.name}: {parameter.annotation}" for parameter in inspect.signature(function).parameters.values()
    )
    return f"{function.__name__}({parameters}) -> {inspect.signature(function).return_annotation}"


def test_the_plugin_manager_knows_exactly_these_hooks():
    assert hook_names(ClarionPluginManager(hookspecs)) == HOOKS
    assert len(HOOKS) >= 7


def test_hookspecs_are_only_hooks():
    public = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("clarion_")]
    assert sorted(public) == HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_hook_name_is_clarion_noun_verb(name):
    match = HOOK_NAME.match(name)
    assert match, f"{name} is not clarion_<noun>_<verb> with a verb in {VERBS} or on_<event>"
    assert match["noun"]


@pytest.mark.parametrize("name", HOOKS)
def test_hook_takes_the_engine_first(name):
    parameters = list(inspect.signature(specs()[name]).parameters)
    assert parameters[0] == "engine", f"{name} must receive the engine (hooks evolve only by adding arguments)"


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_docstring_is_complete(name):
    function = specs()[name]
    doc = inspect.getdoc(function)
    assert doc, f"{name} has no docstring"
    summary = doc.splitlines()[0]
    assert summary.endswith("."), f"{name}: the first line should be a one-sentence summary"
    assert "\nArgs:\n" in doc, f"{name}: document every argument under 'Args:'"
    for parameter in inspect.signature(function).parameters:
        assert re.search(rf"^\s+{parameter}:", doc, re.MULTILINE), f"{name}: argument {parameter!r} is undocumented"
    is_notification = HOOK_NAME.match(name)["verb"].startswith("on_")
    if is_notification:
        assert "\nReturns:\n" not in doc, f"{name}: notifications return nothing"
    else:
        assert "\nReturns:\n" in doc, f"{name}: say what to return under 'Returns:'"
    assert re.search(r"^Example::$", doc, re.MULTILINE), f"{name}: show a short 'Example::'"
    assert "@hookimpl" in doc, f"{name}: the example should show an implementation"


@pytest.mark.parametrize("name", HOOKS)
def test_firstresult_is_said_and_only_for_who_owns_this(name):
    firstresult = specs()[name].clarion_spec["firstresult"]
    paragraphs = inspect.getdoc(specs()[name]).split("\n\n")
    says_so = any(paragraph.startswith("``firstresult``") for paragraph in paragraphs)
    assert says_so == firstresult, f"{name}: a firstresult hook opens a paragraph with ``firstresult``, others never"
    if firstresult:
        assert HOOK_NAME.match(name)["verb"] == "compute", f"{name}: firstresult answers 'who owns this?' only"


def test_hooks_are_synchronous():
    for name, function in specs().items():
        assert not inspect.iscoroutinefunction(function), f"{name}: hooks are synchronous (see the decisions)"


def _test_sources() -> str:
    return "\n".join(path.read_text() for path in sorted(TESTS.rglob("*.py")))


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_test(name):
    test_name = f"test_hook_{name.removeprefix('clarion_')}"
    assert re.search(rf"^def {test_name}\(", _test_sources(), re.MULTILINE), (
        f"write {test_name} showing a plugin from tests/plugins/ using {name}"
    )


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented_with_its_exact_signature(name):
    reference = (REPO / "docs" / "hooks.md").read_text()
    assert f"## `{name}`" in reference, f"docs/hooks.md has no section for {name}; run python docs/build.py"
    assert f"def {signature(specs()[name])}" in reference, (
        f"docs/hooks.md shows an outdated signature of {name}; run python docs/build.py"
    )


def test_signature_rendering():
    assert signature(specs()["clarion_identity_compute"]) == (
        "clarion_identity_compute(engine: Engine, request: RequestInfo) -> Identity | None"
    )
