"""The drift check also catches what Alembic's autogenerate cannot see."""

from __future__ import annotations

from clarion.db import Database
from clarion.schema import schema_drift, upgrade


def test_a_missing_expression_index_is_drift(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        upgrade(database)
        assert schema_drift(database) == []
        with database.engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX ix_content_feed_order")
        assert ("missing_index", "ix_content_feed_order", "content") in schema_drift(database)
    finally:
        database.dispose()


def test_a_table_rebuilt_without_autoincrement_is_drift(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        upgrade(database)
        with database.engine.begin() as connection:
            # What a batch-mode rebuild without table_kwargs leaves behind.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("CREATE TABLE campaign_copy AS SELECT * FROM campaign")
            connection.exec_driver_sql("DROP TABLE campaign")
            connection.exec_driver_sql("CREATE TABLE campaign (id INTEGER PRIMARY KEY, name VARCHAR(200))")
        assert ("missing_autoincrement", "campaign") in schema_drift(database)
    finally:
        database.dispose()
