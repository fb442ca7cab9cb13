"""The analytics plugin's tests talk to the API as the API tests do: the same ``api`` and ``cast``."""

from __future__ import annotations

from api.conftest import api, cast, shared_app  # noqa: F401  (fixtures: the API tests' application and people)
