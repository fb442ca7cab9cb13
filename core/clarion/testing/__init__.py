"""Test Clarion plugins the way Clarion tests itself: fixtures, fake networks and the connector contract.

Installing Clarion registers the ``clarion`` pytest plugin (the :mod:`clarion.testing.fixtures`
module, loaded through this package), so its fixtures are there in every test run::

    def test_my_connector(clarion_engine_factory):
        engine = clarion_engine_factory(plugins={"my-connector": my_connector_module})
        assert "mynetwork" in engine.connectors()

Every test that uses a database fixture runs on SQLite, and again on PostgreSQL when
``CLARION_TEST_POSTGRES_URL`` points at a server (a scratch database is created there and
dropped afterwards; the database in the URL is never touched).

Fixtures:
    clarion_database_url: URL of a migrated, empty database for this test.
    clarion_settings_factory: settings for that database, autoload off, with overrides.
    clarion_engine_factory: engines on that database, with extra plugins.
    clarion_engine: the default engine (built-in plugins only).
    clarion_client: a Litestar test client for ``clarion_engine``.
    clarion_people: creates ambassadors and returns their ``Authorization`` headers.
    clock: a :class:`~clarion.clock.FrozenClock` the test's engines read; ``clock.move(timedelta)``
        and ``clock.set(datetime)`` replace sleeping.

Beyond the fixtures:
    :mod:`clarion.testing.contract`: :class:`~clarion.testing.contract.ConnectorContract`, the
        contract every connector keeps, as a test class to subclass with a ``connector`` fixture.
    :mod:`clarion.testing.fakes`: fake Mastodon, Bluesky, LinkedIn and X servers on 127.0.0.1,
        and :class:`~clarion.testing.fakes.FakeServer` to write a fake of your own network.

Importing this package needs no pytest (``clarion serve --demo`` runs the fakes), so the
fixtures are imported only when pytest loads the plugin or a fixture is named here.
"""

from __future__ import annotations

from typing import Any

from clarion.testing.databases import (
    POSTGRES_ENV,
    create_scratch_postgres,
    database_backends,
    drop_scratch_postgres,
    postgres_url,
)
from clarion.testing.people import Person, make_person

TEST_SECRET = "clarion-test-secret-key-0123456789"
"""The secret key of test settings: tokens minted with it authenticate against test engines."""

# pytest registers this package through the ``pytest11`` entry point, then the modules listed here.
pytest_plugins = ["clarion.testing.fixtures"]

_FIXTURES = frozenset(
    {
        "clarion_backend",
        "clarion_database_url",
        "clarion_settings_factory",
        "clarion_engine_factory",
        "clarion_engine",
        "clarion_client",
        "clarion_people",
        "clock",
    }
)


def __getattr__(name: str) -> Any:
    # ``from clarion.testing import clarion_engine`` keeps working without importing pytest eagerly.
    if name in _FIXTURES:
        from clarion.testing import fixtures

        return getattr(fixtures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "POSTGRES_ENV",
    "TEST_SECRET",
    "Person",
    "create_scratch_postgres",
    "database_backends",
    "drop_scratch_postgres",
    "make_person",
    "postgres_url",
]
