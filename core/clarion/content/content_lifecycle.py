"""The one state machine of content: draft → submitted → approved → archived, and the detours."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clarion.errors import Conflict
from clarion.events import EventKind
from clarion.models import ContentStatus

S = ContentStatus


class ContentAction(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    ARCHIVE = "archive"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[ContentStatus]
    target: ContentStatus
    event: EventKind
    editor_only: bool
    note_required: bool = False


TRANSITIONS: dict[ContentAction, Transition] = {
    ContentAction.SUBMIT: Transition(
        frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED, EventKind.CONTENT_SUBMITTED, False
    ),
    ContentAction.WITHDRAW: Transition(frozenset({S.SUBMITTED}), S.DRAFT, EventKind.CONTENT_REOPENED, False),
    ContentAction.APPROVE: Transition(frozenset({S.SUBMITTED}), S.APPROVED, EventKind.CONTENT_APPROVED, True),
    ContentAction.REJECT: Transition(
        frozenset({S.SUBMITTED}), S.REJECTED, EventKind.CONTENT_REJECTED, True, note_required=True
    ),
    ContentAction.REQUEST_CHANGES: Transition(
        frozenset({S.SUBMITTED}),
        S.CHANGES_REQUESTED,
        EventKind.CONTENT_CHANGES_REQUESTED,
        True,
        note_required=True,
    ),
    ContentAction.ARCHIVE: Transition(
        frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED, S.APPROVED}),
        S.ARCHIVED,
        EventKind.CONTENT_ARCHIVED,
        True,
    ),
    ContentAction.REOPEN: Transition(frozenset({S.REJECTED, S.ARCHIVED}), S.DRAFT, EventKind.CONTENT_REOPENED, True),
}

# States in which the author (not only an editor) may still edit the content.
AUTHOR_EDITABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED})


def next_status(current: ContentStatus, action: ContentAction) -> ContentStatus:
    """The status after ``action``.

    Raises:
        Conflict: when ``action`` is not allowed from ``current``.
    """
    transition = TRANSITIONS[action]
    if current not in transition.sources:
        allowed = ", ".join(sorted(a.value for a, t in TRANSITIONS.items() if current in t.sources))
        raise Conflict(
            f"cannot {action.value.replace('_', ' ')} content that is {current.value.replace('_', ' ')}"
            f" (allowed now: {allowed or 'nothing'})"
        )
    return transition.target


def allowed_actions(current: ContentStatus, *, is_editor: bool, is_author: bool) -> list[ContentAction]:
    """Actions this person may take on content in ``current`` state."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if current in transition.sources and (is_editor or (is_author and not transition.editor_only))
    ]
