"""The content state machine, driven through the content service against a model of the rules."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlmodel import select

from clarion.actors import Actor
from clarion.content.content import (
    ContentAction,
    create_content,
    delete_content,
    transition_content,
    update_content,
)
from clarion.content.content_lifecycle import TRANSITIONS, allowed_actions, next_status
from clarion.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from clarion.models import (
    Content,
    ContentAudience,
    ContentOrigin,
    ContentStatus,
    ContentTopic,
    Event,
    Role,
    ShareText,
)

S = ContentStatus
A = ContentAction


@dataclass(frozen=True)
class Rule:
    """One action of the lifecycle as the product describes it."""

    sources: frozenset[ContentStatus]
    target: ContentStatus
    event: str
    editor_only: bool
    note_required: bool = False


# Written from the product rules, not read from the code under test.
MODEL: dict[ContentAction, Rule] = {
    A.SUBMIT: Rule(frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED, "content.submitted", False),
    A.WITHDRAW: Rule(frozenset({S.SUBMITTED}), S.DRAFT, "content.reopened", False),
    A.APPROVE: Rule(frozenset({S.SUBMITTED}), S.APPROVED, "content.approved", True),
    A.REJECT: Rule(frozenset({S.SUBMITTED}), S.REJECTED, "content.rejected", True, note_required=True),
    A.REQUEST_CHANGES: Rule(
        frozenset({S.SUBMITTED}), S.CHANGES_REQUESTED, "content.changes_requested", True, note_required=True
    ),
    A.ARCHIVE: Rule(frozenset(set(S) - {S.ARCHIVED}), S.ARCHIVED, "content.archived", True),
    A.REOPEN: Rule(frozenset({S.REJECTED, S.ARCHIVED}), S.DRAFT, "content.reopened", True),
}
AUTHOR_EDITABLE = {S.DRAFT, S.CHANGES_REQUESTED}
NOTES = [None, "", "   ", "Needs a source", "  Off-brand tone  "]
ACTOR_NAMES = ["editor", "author", "stranger"]


def model_allowed(status: ContentStatus, *, is_editor: bool, is_author: bool) -> set[ContentAction]:
    return {
        action
        for action, spec in MODEL.items()
        if status in spec.sources and (is_editor or (is_author and not spec.editor_only))
    }


# -- example tests ------------------------------------------------------------------------------


def test_the_code_has_the_modelled_transitions():
    assert set(TRANSITIONS) == set(MODEL)
    for action, spec in MODEL.items():
        transition = TRANSITIONS[action]
        assert (transition.sources, transition.target, transition.event.value) == (
            spec.sources,
            spec.target,
            spec.event,
        ), action
        assert (transition.editor_only, transition.note_required) == (spec.editor_only, spec.note_required), action


@pytest.mark.parametrize(
    ("status", "is_editor", "is_author", "expected"),
    [
        (S.DRAFT, False, True, [A.SUBMIT]),
        (S.DRAFT, True, False, [A.SUBMIT, A.ARCHIVE]),
        (S.DRAFT, False, False, []),
        (S.SUBMITTED, False, True, [A.WITHDRAW]),
        (S.SUBMITTED, True, False, [A.WITHDRAW, A.APPROVE, A.REJECT, A.REQUEST_CHANGES, A.ARCHIVE]),
        (S.CHANGES_REQUESTED, False, True, [A.SUBMIT]),
        (S.REJECTED, False, True, []),
        (S.REJECTED, True, False, [A.ARCHIVE, A.REOPEN]),
        (S.APPROVED, False, True, []),
        (S.APPROVED, True, True, [A.ARCHIVE]),
        (S.ARCHIVED, True, False, [A.REOPEN]),
        (S.ARCHIVED, False, True, []),
    ],
)
def test_allowed_actions_examples(status, is_editor, is_author, expected):
    assert allowed_actions(status, is_editor=is_editor, is_author=is_author) == expected


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize(("is_editor", "is_author"), [(True, True), (True, False), (False, True), (False, False)])
def test_allowed_actions_match_the_model(status, is_editor, is_author):
    assert set(allowed_actions(status, is_editor=is_editor, is_author=is_author)) == model_allowed(
        status, is_editor=is_editor, is_author=is_author
    )


def test_every_status_is_reachable_and_none_is_a_trap():
    reachable, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        current = frontier.pop()
        for spec in MODEL.values():
            if current in spec.sources and spec.target not in reachable:
                reachable.add(spec.target)
                frontier.append(spec.target)
    assert reachable == set(S)
    for status in S:
        assert model_allowed(status, is_editor=True, is_author=False), f"an editor is stuck on {status}"


@pytest.mark.parametrize(("status", "action"), [(s, a) for s in S for a in A if s not in MODEL[a].sources])
def test_next_status_refuses_illegal_moves_naming_what_is_allowed(status, action):
    with pytest.raises(Conflict) as caught:
        next_status(status, action)
    allowed = sorted(a.value for a in model_allowed(status, is_editor=True, is_author=True))
    assert (", ".join(allowed) or "nothing") in caught.value.detail


def test_a_new_draft_in_place_of_a_deleted_one_has_its_own_history(clarion_engine, clarion_people):
    # SQLite may hand a deleted row's id to the next row; idempotency keys built on ids must not collide.
    person = clarion_people("ada")
    author = Actor(person.id, person.external_id, Role.AMBASSADOR)
    data = {"title": "Mine", "url": "https://example.com/mine", "origin": "curated"}
    with clarion_engine.transaction() as session:
        first = create_content(clarion_engine, session, author, data).content.id
        transition_content(session, author, first, A.SUBMIT)
        transition_content(session, author, first, A.WITHDRAW)
        delete_content(session, author, first)
    with clarion_engine.transaction() as session:
        second = create_content(clarion_engine, session, author, data).content.id
        transition_content(session, author, second, A.SUBMIT)
    with clarion_engine.transaction() as session:
        kinds = [e.kind for e in session.exec(select(Event).where(Event.content_id == second).order_by(Event.id))]
    assert kinds == ["content.created", "content.submitted"]


# -- the state machine --------------------------------------------------------------------------


class ContentLifecycle(RuleBasedStateMachine):
    """One content item per example, on one engine shared by all examples (set by the test)."""

    engine = None
    actors: dict[str, Actor] = {}

    # -- the model --

    @initialize(origin=st.sampled_from([ContentOrigin.CURATED, ContentOrigin.OFFICIAL]))
    def create(self, origin):
        creator = self.actors["author" if origin is ContentOrigin.CURATED else "editor"]
        with self.engine.transaction() as session:
            # Start every example from the same empty tables so that it replays identically
            # (test_a_new_draft_in_place_of_a_deleted_one_has_its_own_history covers id reuse).
            for table in (Event, ContentAudience, ContentTopic, ShareText, Content):
                session.execute(sa.delete(table))
            details = create_content(
                self.engine,
                session,
                creator,
                {"title": "First title", "url": "https://example.com/post", "origin": origin.value},
            )
        self.content_id = details.content.id
        self.authored = origin is ContentOrigin.CURATED
        self.status = S.DRAFT
        self.title = "First title"
        self.note: str | None = None
        self.deleted = False
        self.kinds = ["content.created"]

    def is_author(self, who: str) -> bool:
        return who == "author" and self.authored

    def visible(self, who: str) -> bool:
        # Editors see everything, authors their own; anyone else only what they may share now.
        return who == "editor" or self.is_author(who) or self.status is S.APPROVED

    def expected_transition(self, who: str, action: ContentAction, note: str | None):
        spec = MODEL[action]
        is_editor = who == "editor"
        if self.deleted or not self.visible(who):
            return NotFound
        if spec.editor_only and not is_editor:
            return PermissionDenied
        if not (is_editor or self.is_author(who)):
            return PermissionDenied
        if spec.note_required and not (note and note.strip()):
            return ValidationFailed
        if self.status not in spec.sources:
            return Conflict
        return None

    # -- running the service and checking it changed nothing when it refused --

    def attempt(self, expected_error, call):
        with self.engine.transaction() as session:
            row = session.get(Content, self.content_id)
            before = (row.status, row.status_note, row.title, row.updated_at) if row is not None else None
            events_before = len(session.exec(select(Event.id)).all())
            if expected_error is None:
                return call(session)
            with pytest.raises(expected_error) as caught:
                call(session)
            if row is not None:
                assert (row.status, row.status_note, row.title, row.updated_at) == before, "a refusal changed the row"
                assert row not in session.deleted
            assert len(session.exec(select(Event.id)).all()) == events_before, "a refusal recorded an event"
            # the session commits here: anything the refusal left behind would be stored
        return caught.value

    @rule(who=st.sampled_from(ACTOR_NAMES), action=st.sampled_from(list(A)), note=st.sampled_from(NOTES))
    def transition(self, who, action, note):
        expected = self.expected_transition(who, action, note)
        outcome = self.attempt(
            expected, lambda session: transition_content(session, self.actors[who], self.content_id, action, note)
        )
        if expected is ValidationFailed:
            assert outcome.field == "note"
        if expected is None:
            spec = MODEL[action]
            assert outcome.content.status is spec.target
            self.status = spec.target
            self.note = note.strip() if note else None
            self.kinds.append(spec.event)

    @rule(who=st.sampled_from(ACTOR_NAMES), title=st.sampled_from(["Second title", "Third title"]))
    def update(self, who, title):
        if self.deleted or not self.visible(who):
            expected = NotFound
        elif self.status is S.ARCHIVED:
            expected = Conflict
        elif who != "editor" and not (self.is_author(who) and self.status in AUTHOR_EDITABLE):
            expected = PermissionDenied
        else:
            expected = None
        self.attempt(
            expected,
            lambda session: update_content(self.engine, session, self.actors[who], self.content_id, {"title": title}),
        )
        if expected is None:
            self.title = title

    @rule(who=st.sampled_from(ACTOR_NAMES))
    def delete(self, who):
        if self.deleted or not self.visible(who):
            expected = NotFound
        elif who != "editor" and not self.is_author(who):
            expected = PermissionDenied
        elif self.status is not S.DRAFT:
            expected = Conflict
        else:
            expected = None
        self.attempt(expected, lambda session: delete_content(session, self.actors[who], self.content_id))
        if expected is None:
            self.deleted = True
            self.kinds = []  # the history stays in the log, detached from the deleted row

    # -- what must always hold --

    @invariant()
    def stored_content_matches_the_model(self):
        with self.engine.transaction() as session:
            row = session.get(Content, self.content_id)
            events = session.exec(select(Event).where(Event.content_id == self.content_id).order_by(Event.id)).all()
        if self.deleted:
            assert row is None
        else:
            assert row is not None
            assert row.status in set(S)
            assert row.status is self.status
            assert row.title == self.title
            assert (row.status_note or None) == (self.note or None)
        assert [event.kind for event in events] == self.kinds, "one event per successful transition"
        assert len({event.idempotency_key for event in events}) == len(events)

    @invariant()
    def allowed_actions_match_the_model(self):
        for who in ACTOR_NAMES:
            is_editor, is_author = who == "editor", self.is_author(who)
            assert set(allowed_actions(self.status, is_editor=is_editor, is_author=is_author)) == model_allowed(
                self.status, is_editor=is_editor, is_author=is_author
            )


@pytest.mark.slow
def test_content_lifecycle_state_machine(clarion_engine, clarion_people):
    people = {
        "editor": clarion_people("erin", Role.EDITOR),
        "author": clarion_people("ada"),
        "stranger": clarion_people("sam"),
    }
    machine = type(
        "ContentLifecycleOnThisDatabase",
        (ContentLifecycle,),
        {
            "engine": clarion_engine,
            "actors": {name: Actor(p.id, p.external_id, p.role) for name, p in people.items()},
        },
    )
    run_state_machine_as_test(machine, settings=settings(max_examples=40, stateful_step_count=15))
