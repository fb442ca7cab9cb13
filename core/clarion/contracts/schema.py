"""What a plugin's tables are: its models' tables and its own Alembic migrations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

BRANCH_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class Schema:
    """A plugin's own tables, upgraded by ``clarion db upgrade`` after the core's.

    Each plugin's migrations form an Alembic history of their own, recorded in their own
    version table (``alembic_version_<branch>``), so installing, upgrading or removing a plugin
    never touches the core's history or another plugin's: a removed plugin's tables and
    version table are left as they are.

    Attributes:
        branch: The history's name (lower case, ``[a-z0-9_]``); it names the version table.
        migrations: The folder holding the plugin's Alembic revision files.
        tables: The plugin's tables (``Model.__table__``), which the drift check compares
            with the database and which personal-data export and erasure walk.
    """

    branch: str
    migrations: Path
    tables: Sequence[sa.Table] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not BRANCH_NAME.match(self.branch):
            raise ValueError(f"schema branch {self.branch!r} must be lower case letters, digits and _")
        if not Path(self.migrations).is_dir():
            raise ValueError(f"schema {self.branch!r}: migrations folder {self.migrations} does not exist")

    @property
    def version_table(self) -> str:
        """The table that records how far this history is applied."""
        return f"alembic_version_{self.branch}"
