"""The docs match the code: generated hook reference, settings, CLI, links, decisions and token claims."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from clarion import tokens
from clarion.cli import main
from clarion.config import Settings
from clarion.plugins import DEFAULT_PLUGINS

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def read(relative: str) -> str:
    return (DOCS / relative).read_text()


def test_hook_reference_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(DOCS / "build.py"), "--check"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def load_build_script():
    """docs/build.py as a module; it puts the source tree first on sys.path, so restore that."""
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("clarion_docs_build", DOCS / "build.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def test_check_fails_on_a_stale_reference(tmp_path, monkeypatch):
    build = load_build_script()
    stale = tmp_path / "hooks.md"
    stale.write_text(build.render().replace("firstresult", "first result", 1))
    monkeypatch.setattr(build, "HOOKS_PAGE", stale)
    assert build.main(["--check"]) == 1
    assert build.main([]) == 0
    assert build.main(["--check"]) == 0


def without_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.DOTALL)


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation but - and _ dropped, spaces as dashes."""
    headings = re.findall(r"^#+ (.+)$", without_code(page.read_text()), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(DOCS)) for page in PAGES])
def test_relative_links_and_anchors_resolve(page):
    for target in LINK.findall(without_code(page.read_text())):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path) if path else page
        assert linked.exists(), f"{page.relative_to(REPO)} links to missing {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{page.relative_to(REPO)} links to a missing heading: {target}"


def test_index_maps_every_page():
    index = read("index.md")
    linked = {(DOCS / target.split("#")[0]).resolve() for target in LINK.findall(index)}
    missing = [
        str(page.relative_to(DOCS)) for page in PAGES if page.name != "index.md" and page.resolve() not in linked
    ]
    assert not missing, f"docs/index.md does not link {missing}"


def _toml_literal(value: object) -> str:
    if value is None or value == {}:
        return "—"
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _settings_rows(text: str) -> dict[str, str]:
    return {match[1]: match[0] for match in re.finditer(r"^\| `([a-z_]+)` \|.*$", text, re.MULTILINE)}


def test_configuration_documents_every_setting_with_its_default():
    section = read("configuration.md").split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = _settings_rows(section)
    assert set(rows) == set(Settings.model_fields), "the settings table and Settings disagree"
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        cells = [cell.strip() for cell in rows[name].strip("|").split("|")]
        assert cells[2] == ("—" if default in (None, {}) else f"`{_toml_literal(default)}`"), (
            f"docs/configuration.md shows the wrong default for {name}"
        )


def test_configuration_documents_every_environment_variable():
    text = read("configuration.md")
    mentioned = set()
    for path in [*(REPO / "core").rglob("*.py"), *(REPO / "plugins").rglob("*.py")]:
        mentioned |= set(re.findall(r"\bCLARION_[A-Z_]+\b", path.read_text()))
    undocumented = sorted(name for name in mentioned if f"`{name}`" not in text)
    assert not undocumented, f"docs/configuration.md does not document {undocumented}"


@pytest.mark.parametrize(
    "plugin",
    [
        "identity-trusted-header",
        "identity-oidc",
        "guardrail-repeat-share",
        "scoring-shares",
        "scoring-clicks",
        "scoring-engagement",
        "scoring-content",
        "scoring-onboarding",
        "scoring-streaks",
        "gamification",
    ],
)
def test_configuration_documents_builtin_plugin_settings(plugin):
    module = importlib.import_module(DEFAULT_PLUGINS[plugin])
    section = read("configuration.md").split(f"### `[plugins.{plugin}]`", 1)[1].split("\n### ", 1)[0]
    rows = _settings_rows(section)
    assert set(rows) == set(module.Settings.model_fields)
    for name, field in module.Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        assert f"`{json.dumps(default)}`" in rows[name], f"[plugins.{plugin}] {name}: wrong default"


def _commands(group: click.Group, prefix: str = "clarion") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=[path for path, _ in _commands(main)])
def test_cli_documents_every_command_and_option(path, command):
    text = read("cli.md")
    heading = re.search(rf"^## `{re.escape(path)}( [^`]*)?`$", text, re.MULTILINE)
    assert heading, f"docs/cli.md has no section for `{path}`"
    section = text[heading.end() :].split("\n## ", 1)[0]
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            long_name = max(parameter.opts, key=len)
            if long_name != "--help":
                assert f"`{long_name}`" in section, f"docs/cli.md: `{path}` does not document {long_name}"
        else:
            assert parameter.name.upper() in heading[0], f"docs/cli.md: `{path}` does not show {parameter.name}"


def test_embedding_guide_states_the_token_contract():
    guide = read("guides/embed-clarion.md")
    assert tokens.ALGORITHM == "HS256"
    assert tokens.AUDIENCE == "clarion"
    assert tokens.MAX_TTL_SECONDS == 86400
    for fact in (
        "HS256",
        '"clarion"',
        "`sub`",
        "`iat`",
        "`exp`",
        "`name`",
        "`email`",
        "24 hours",
        "clarion identity tokens v1",
    ):
        assert fact in guide, f"the embedding guide should state {fact}"
    assert tokens.signing_key("k") == __import__("hmac").new(b"k", b"clarion identity tokens v1", "sha256").digest()


def test_decisions_have_context_decision_consequences():
    decisions = sorted((DOCS / "decisions").glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert decisions
    numbers = [int(path.name[:4]) for path in decisions]
    assert numbers == list(range(1, len(decisions) + 1)), "decisions are numbered 0001, 0002, … without gaps"
    for path in decisions:
        text = path.read_text()
        assert text.startswith(f"# {int(path.name[:4]):04d}"), f"{path.name} should open with '# {path.name[:4]} …'"
        for heading in ("## Context", "## Decision", "## Consequences"):
            assert heading in text, f"{path.name} has no {heading}"


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(DOCS)) for page in PAGES])
def test_python_blocks_in_docs_parse(page):
    for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.DOTALL):
        ast.parse(textwrap.dedent(block))  # an excerpt from inside a function is indented


EXCERPT = re.compile(r"<!-- excerpt: (\S+) -->\n```[a-z]*\n(.*?)\n```", re.DOTALL)
EXCERPTED = [page for page in PAGES if "<!-- excerpt:" in page.read_text()]


@pytest.mark.parametrize("page", EXCERPTED, ids=[str(page.relative_to(DOCS)) for page in EXCERPTED])
def test_guide_excerpts_are_copied_from_the_files_they_name(page):
    """A block marked ``<!-- excerpt: path -->`` appears, line for line, in that file of the repository."""
    text = page.read_text()
    excerpts = EXCERPT.findall(text)
    assert len(excerpts) == text.count("<!-- excerpt:"), f"{page.name}: an excerpt marker is not followed by a block"
    for path, block in excerpts:
        source = REPO / path
        assert source.is_file(), f"{page.name} quotes {path}, which does not exist"
        assert block in source.read_text(), f"{page.name}: the excerpt of {path} no longer matches the file"


def test_the_plugin_and_widget_guides_quote_running_code():
    assert {"write-a-plugin.md", "write-a-widget.md"} <= {page.name for page in EXCERPTED}
    plugin_guide = read("guides/write-a-plugin.md")
    for hook in (
        "clarion_tables_register",
        "clarion_routes_register",
        "clarion_widgets_register",
        "clarion_jobs_register",
        "clarion_commands_register",
        "clarion_awards_compute",
    ):
        assert f"def {hook}" in plugin_guide, f"write-a-plugin.md does not show {hook}"
