"""Third-party discovery end to end: install the contrib/ distributions, find them through their entry points.

Each package is built with pip from a copy of its folder (so the working tree stays clean) into
a scratch ``--target`` directory, without build isolation or an index: nothing is downloaded.
Clarion then runs in subprocesses with that directory on ``PYTHONPATH`` and entry-point
autoloading on, which the in-process test run keeps off. Every distribution's own tests run too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from clarion.testing import TEST_SECRET

REPO = Path(__file__).resolve().parents[2]
CONTRIB = REPO / "contrib"
DISTRIBUTIONS = ["clarion-hello", "clarion-discourse", "clarion-kudos"]
HOOKS = ["clarion_config_register", "clarion_connectors_register", "clarion_share_violations_compute"]
# `python -m clarion.cli` would need a __main__ guard in cli.py; calling main() works everywhere.
CLARION = [sys.executable, "-c", "from clarion.cli import main; main()"]

pytestmark = pytest.mark.slow


def offline_build_problem() -> str | None:
    """Why pip cannot build the package here without downloading, or ``None`` when it can."""
    try:
        found = version("setuptools")
    except PackageNotFoundError:
        return "setuptools is not installed, and --no-build-isolation builds with the environment's own"
    major, minor = (int(part) for part in [*found.split("."), "0"][:2])
    if (major, minor) < (70, 1) and importlib.util.find_spec("wheel") is None:
        return f"setuptools {found} builds wheels only with the 'wheel' package; install setuptools>=70.1"
    return None


def clarion_env(target: Path, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real `clarion` run: autoload on, nothing from the test run leaking in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLARION_") or key == "CLARION_TEST_POSTGRES_URL"
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")])),
        CLARION_DISABLE_PLUGIN_AUTOLOAD="0",
        CLARION_SECRET_KEY=TEST_SECRET,
        CLARION_DATABASE_URL=f"sqlite:///{workdir / 'clarion.db'}",
    )
    env.update(extra)
    return env


def test_every_contrib_folder_is_covered():
    folders = sorted(path.name for path in CONTRIB.iterdir() if (path / "pyproject.toml").exists())
    assert folders == sorted(DISTRIBUTIONS), "add the new distribution to DISTRIBUTIONS"


def install(tmp_path_factory, name: str) -> tuple[Path, Path]:
    """(target directory with contrib/<name> installed, the copy of its sources)."""
    problem = offline_build_problem()
    if problem:
        pytest.skip(f"cannot build contrib/{name} offline: {problem}")
    scratch = tmp_path_factory.mktemp(name)
    source = scratch / name
    shutil.copytree(CONTRIB / name, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = scratch / "site"
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index"]
    command += ["--no-cache-dir", "--disable-pip-version-check", "--quiet", "--target", str(target), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return target, source


@pytest.fixture(scope="module")
def installer(tmp_path_factory) -> Callable[[str], tuple[Path, Path]]:
    """``installer(name)``: contrib/<name> installed once per module, as :func:`install` returns it."""
    done: dict[str, tuple[Path, Path]] = {}

    def installed_once(name: str) -> tuple[Path, Path]:
        if name not in done:
            done[name] = install(tmp_path_factory, name)
        return done[name]

    return installed_once


@pytest.fixture(scope="module")
def installed(installer) -> tuple[Path, Path]:
    """contrib/clarion-hello, installed: the plugin the discovery tests below look for."""
    return installer("clarion-hello")


def run_plugins(installed, tmp_path, **env: str) -> list[dict]:
    target, _ = installed
    result = subprocess.run(
        [*CLARION, "plugins", "--json"],
        cwd=tmp_path,
        env=clarion_env(target, tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_installed_plugin_is_found_through_its_entry_point(installed, tmp_path):
    listed = {record["name"]: record for record in run_plugins(installed, tmp_path)}
    assert listed["hello"] == {
        "name": "hello",
        "source": "entry point",
        "module": "clarion_hello.plugin",
        "version": "0.1.0",
        "distribution": "clarion-hello",
        "blocked": False,
        "hooks": HOOKS,
        "owns": {},
    }
    # Built-ins load once, as built-ins.
    assert listed["connector-linkedin"]["source"] == "built-in"


def test_installed_plugin_can_be_blocked_by_name(installed, tmp_path):
    listed = {record["name"]: record for record in run_plugins(installed, tmp_path, CLARION_DISABLED_PLUGINS="hello")}
    assert listed["hello"]["blocked"] is True
    assert listed["hello"]["source"] == "entry point"
    assert listed["hello"]["hooks"] == []


def test_autoload_off_ignores_installed_plugins(installed, tmp_path):
    listed = run_plugins(installed, tmp_path, CLARION_DISABLE_PLUGIN_AUTOLOAD="1")
    assert "hello" not in {record["name"] for record in listed}


def test_installed_plugin_reads_its_section(installed, tmp_path):
    (tmp_path / "clarion.toml").write_text('[plugins.hello]\ndisclosure_tag = "not a tag"\n')
    target, _ = installed
    result = subprocess.run(
        [*CLARION, "plugins"],
        cwd=tmp_path,
        env=clarion_env(target, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "clarion: error: [plugins.hello] disclosure_tag: must be one hashtag such as #ad"
    ]


def test_an_installed_connector_plugin_is_found_with_its_connector(installer, tmp_path):
    listed = {record["name"]: record for record in run_plugins(installer("clarion-discourse"), tmp_path)}
    assert listed["discourse"]["source"] == "entry point"
    assert listed["discourse"]["distribution"] == "clarion-discourse"
    assert listed["discourse"]["hooks"] == ["clarion_config_register", "clarion_connectors_register"]


def test_an_installed_feature_plugin_is_found_with_everything_it_owns(installer, tmp_path):
    """clarion-kudos, installed from its wheel: its routes, tables, job, command and admin page, and its files travelled."""
    target, _ = installer("clarion-kudos")
    listed = {record["name"]: record for record in run_plugins((target, None), tmp_path)}
    kudos = listed["kudos"]
    assert (kudos["source"], kudos["distribution"], kudos["version"]) == ("entry point", "clarion-kudos", "0.1.0")
    assert kudos["hooks"] == [
        "clarion_admin_pages_register",
        "clarion_awards_compute",
        "clarion_commands_register",
        "clarion_config_register",
        "clarion_jobs_register",
        "clarion_person_erase_prepare",
        "clarion_person_export_compute",
        "clarion_routes_register",
        "clarion_tables_register",
        "clarion_widgets_register",
    ]
    assert kudos["owns"] == {
        "routes": ["/api/v1/kudos", "/api/v1/kudos/given", "/api/v1/kudos/received", "/api/v1/kudos/shares"],
        "tables": ["kudos", "kudos_week"],
        "jobs": ["kudos.weekly_summary (0 6 * * 1)"],
        "commands": ["kudos"],
        "admin pages": ["/admin/kudos (admin)"],
    }
    package = target / "clarion_kudos"
    for packaged in (
        "migrations/2026_12_07_k001_kudos.py",
        "static/kudos.css",
        "templates/kudos/widget.html",
        "templates/kudos/admin.html",
        "locale/nl/LC_MESSAGES/clarion.po",
    ):
        assert (package / packaged).is_file(), f"{packaged} is missing from the installed package"
    # `clarion db upgrade` upgrades the installed plugin's history after the core's.
    result = subprocess.run(
        [*CLARION, "db", "upgrade"],
        cwd=tmp_path,
        env=clarion_env(target, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "kudos: k001_kudos" in result.stdout


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_the_contrib_package_passes_its_own_tests(installer, tmp_path, name):
    target, source = installer(name)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=source,
        env=clarion_env(target, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
