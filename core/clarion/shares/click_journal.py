"""The click journal: append-only files where the redirect leaves each click before answering.

Each process appends to its own segment (``<start ns>-<pid>-<random>.jsonl``) with one
``write()`` of one JSON line per click on a file opened ``O_APPEND``: once the call returns the
line is in the operating system's page cache and survives the process being killed. The writer
holds an exclusive ``flock`` on its open segment; the lock dies with the process, so a reader
that can take it knows no one will write to that segment again (sealed: read it all, then delete
it) and one that cannot reads only complete lines. A ``ingest.lock`` file lets one reader run
at a time.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy.engine import make_url

from clarion.config import Settings

logger = logging.getLogger("clarion.shares.click_journal")

SUFFIX = ".jsonl"
LOCK_FILE = "ingest.lock"
DEFAULT_DIRECTORY = "clarion-clicks"
# Compact UTF-8 JSON lines, any JSON reader can read them; msgspec (Litestar's own JSON library)
# is several times faster than the json module, on the redirect's path and at ingestion.
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


def journal_dir(settings: Settings) -> Path:
    """``click_journal_dir``, else ``<database>-clicks/`` next to a SQLite database, else ``./clarion-clicks``."""
    if settings.click_journal_dir:
        return Path(settings.click_journal_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(str(url.database))
        return database.with_name(f"{database.stem}-clicks")
    return Path.cwd() / DEFAULT_DIRECTORY


class JournalWriter:
    """Appends click records to this process's segment; safe from many threads.

    Args:
        directory: The journal directory (created when missing).
        segment_bytes: Past this size the segment is closed (sealed) and a new one begun.
    """

    def __init__(self, directory: Path, *, segment_bytes: int) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._size = 0
        self.path: Path | None = None

    def _open(self) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"
        path = self.directory / name
        # Locked under a name readers ignore, then renamed: a reader never sees it unlocked.
        hidden = self.directory / f".{name}.new"
        fd = os.open(hidden, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(hidden, path)
        self._fd, self._pid, self._size, self.path = fd, os.getpid(), 0, path
        return fd

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line, with one ``write()``; returns once the kernel has it.

        Raises:
            OSError: the journal cannot be written (disk full, directory gone).
        """
        line = _encode(record) + b"\n"
        with self._lock:
            fd = self._fd
            if fd is None or self._pid != os.getpid():  # first record, or a forked child
                fd = self._open()
            written = os.write(fd, line)
            if written != len(line):  # only on a full disk; the partial line is skipped by readers
                raise OSError(f"short write to the click journal {self.path}")
            self._size += written
            if self._size >= self.segment_bytes:
                self._seal()

    def _seal(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)  # releases the flock: readers may now take the segment whole
        self._fd, self.path = None, None

    def close(self) -> None:
        """Seal the current segment (graceful shutdown)."""
        with self._lock:
            self._seal()


@dataclass
class Segment:
    """One journal file as a reader sees it."""

    path: Path
    sealed: bool
    fd: int

    def read_from(self, offset: int) -> tuple[list[dict[str, Any]], int, int]:
        """Complete records from ``offset``: ``(records, new offset, unreadable lines)``.

        A sealed segment's unterminated last line is counted unreadable (a write cut short by a
        full disk); an open segment's is left for the next pass.
        """
        size = os.fstat(self.fd).st_size
        data = os.pread(self.fd, max(size - offset, 0), offset) if size > offset else b""
        end = data.rfind(b"\n") + 1
        complete, rest = data[:end], data[end:]
        records: list[dict[str, Any]] = []
        bad = 0
        for line in complete.splitlines():
            try:
                record = _decode(line)
            except ValueError:  # msgspec.DecodeError included
                bad += 1
                continue
            if isinstance(record, dict):
                records.append(record)
            else:
                bad += 1
        if self.sealed and rest:
            bad += 1
            end = len(data)
        return records, offset + end, bad


class JournalReader:
    """Finds segments in the journal directory; one reader at a time per directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextmanager
    def exclusive(self, *, wait: bool) -> Iterator[bool]:
        """Hold the directory's reader lock; yields ``False`` when busy and ``wait`` is off."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # releases the lock

    @contextmanager
    def segments(self) -> Iterator[list[Segment]]:
        """Every segment, oldest first, opened; sealed ones are locked by us until the block ends."""
        opened: list[Segment] = []
        try:
            for path in sorted(self.directory.glob(f"*{SUFFIX}")):
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                except FileNotFoundError:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    sealed = True
                except BlockingIOError:
                    sealed = False
                opened.append(Segment(path, sealed, fd))
            yield opened
        finally:
            for segment in opened:
                os.close(segment.fd)

    def pending_bytes(self) -> int:
        """Bytes waiting in segments (an upper bound of what is not ingested yet)."""
        total = 0
        for path in self.directory.glob(f"*{SUFFIX}"):
            try:
                total += path.stat().st_size
            except FileNotFoundError:
                continue
        return total
