"""``clarion.testing`` ships to plugin authors: fixtures, fakes and the contract work outside this repository.

A tiny third-party plugin (``tests/third_party``) is copied to a scratch directory and tested
there by pytest in a subprocess, with only the installed ``clarion`` importable: its tests
subclass :class:`~clarion.testing.contract.ConnectorContract` and
:class:`~clarion.testing.contract.PublishingContract`, build a fake of their own network
on :class:`~clarion.testing.fakes.FakeServer` and start Clarion's fake Mastodon.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import clarion.testing
from clarion.testing.connector_checks import CONTRACT_CHECKS
from clarion.testing.contract import PublishingContract

TESTS = Path(__file__).resolve().parents[1]
THIRD_PARTY = TESTS / "third_party"

pytestmark = pytest.mark.slow
PUBLISHING_RULES = len([name for name in vars(PublishingContract) if name.startswith("test_")])


def run_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env.update(CLARION_REPO_TESTS=str(TESTS), CLARION_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("CLARION_TEST_POSTGRES_URL", None)  # SQLite is enough to show the fixtures work
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-W", "error"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "hello-net"
    project.mkdir()
    for name in ("hello_net.py", "test_hello_net.py"):
        shutil.copy(THIRD_PARTY / name, project / name)
    (project / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    return project


def test_a_plugin_author_tests_with_fixtures_fakes_and_contract(project):
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"{len(CONTRACT_CHECKS) + PUBLISHING_RULES + 3} passed" in result.stdout


def test_the_contract_fails_a_broken_plugin_by_rule(project):
    plugin = project / "hello_net.py"
    # The intent forgets the tracked link: exactly the rules about the link must fail.
    plugin.write_text(plugin.read_text().replace('urlencode({"text": post.body})', 'urlencode({"text": post.text})'))
    result = run_pytest(project)
    assert result.returncode == 1, result.stdout[-4000:]
    failed = {
        line.split("[", 1)[1].split("]", 1)[0].removeprefix("sqlite-")
        for line in result.stdout.splitlines()
        if line.startswith("FAILED")
    }
    assert failed == {
        "intent_carries_tracked_link",
        "intent_never_leaks_raw_url",
        "empty_text",
        "unicode_text",
        "hashtags",
    }


def test_importing_clarion_testing_needs_no_pytest():
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "import clarion.testing, clarion.testing.fakes\n"
        "print(clarion.testing.TEST_SECRET and 'ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert clarion.testing.pytest_plugins == ["clarion.testing.fixtures"]
