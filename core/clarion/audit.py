"""Recording a change in the audit log, in the change's own transaction; plugins record through it too."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlmodel import Session

from clarion.actors import Actor
from clarion.db import ENGINE, after_commit
from clarion.models import AuditEntry


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    subject_id: object = "",
    *,
    subject_type: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    via: str | None = None,
    personal: Collection[str] = (),
) -> AuditEntry:
    """Append who did ``action`` (``<thing>.<verb>``) to which subject; observers hear of it after commit.

    The subject is ``<thing>`` ``subject_id`` unless ``subject_type`` says otherwise. ``actor`` is
    ``None`` for the command line and the system (``via`` then says which). ``before`` and ``after``
    are JSON objects (settings, roles, fields); given both, unchanged keys are dropped. The values
    of ``personal`` keys (names, e-mail) are never stored, only that they changed: the log is
    append-only, so erasing a person must find nothing of theirs in it.
    """
    if before is not None and after is not None:
        changed = [key for key in after if before.get(key) != after[key]]
        before, after = {key: before.get(key) for key in changed}, {key: after[key] for key in changed}
    for values in (before or {}, after or {}):
        values.update({key: "(changed)" for key in personal if key in values})
    entry = AuditEntry(
        actor_id=actor.ambassador_id if actor else None,
        via=via or (actor.via if actor else "system"),
        action=action,
        subject_type=subject_type or action.partition(".")[0],
        subject_id=str(subject_id if subject_id is not None else ""),
        before=_json(before),
        after=_json(after),
    )
    session.add(entry)
    session.flush()
    engine = session.info.get(ENGINE)
    if engine is not None:
        after_commit(session, lambda: engine.pm.hook.clarion_audit_on_recorded(engine=engine, entry=entry))
    return entry


def snapshot(row: Any, names: Any) -> dict[str, Any]:
    """The values of ``names`` on ``row``, to pass as ``before`` / ``after``."""
    return {name: getattr(row, name) for name in names if hasattr(row, name)}


def _json(values: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else json.loads(json.dumps(values, default=str))
