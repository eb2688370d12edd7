"""The library version: every transaction that writes raises it by one when it commits.

Readers use it as the Zotero Web API does: ``(uid, version)`` names one state of the library, so
whatever was computed from that state (a search's match count) holds for as long as the version
is unchanged, in every worker and process that shares the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from citekit.storage.prepared import WROTE, Prepared, read
from citekit.storage.tables import LibraryRow

_LIBRARY = LibraryRow.__table__  # type: ignore[attr-defined]
_STATE = Prepared(select(_LIBRARY.c.uid, _LIBRARY.c.version).where(_LIBRARY.c.id == 1))
_BUMP = update(_LIBRARY).where(_LIBRARY.c.id == 1).values(version=_LIBRARY.c.version + 1)


def wrote(session: Session) -> bool:
    """Whether the session's transaction has written anything so far."""
    return bool(session.info.get(WROTE))


def state(session: Session) -> tuple[str, int]:
    """The library's ``(uid, version)``: as the session's transaction sees it once it has
    written, else as last committed."""
    ((uid, version),) = read(session, _STATE, {})
    return str(uid), int(version)


T = TypeVar("T")


class Kept(Generic[T]):
    """Values computed from one state of the library, kept (least recently used first out)
    until the library changes: every key is qualified by the library's ``(uid, version)``, so a
    write anywhere, by any process, makes the old values unreachable.

    ``size`` is read on each use (0: compute every time): how much is kept, each value weighing
    ``weigh(value)`` (1 by default; the bytes of a page, say). Nothing is kept for a session
    whose transaction has written: its values include changes nobody else can see yet.
    """

    def __init__(self, size: Callable[[], int], weigh: Callable[[T], int] | None = None) -> None:
        self._size = size
        self._weigh = weigh
        self._values: OrderedDict[tuple[str, int, Hashable], tuple[T, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()  # the server's worker threads share one instance

    def get(
        self,
        session: Session,
        key: Hashable,
        compute: Callable[[], T],
        *,
        known: tuple[str, int] | None = None,
    ) -> T:
        """The value kept for ``key`` in the library's current state, or ``compute()``'s (and
        kept). ``known``: the state, when the caller has just read it."""
        size = self._size()
        if size == 0 or wrote(session):
            return compute()
        # The state is read before computing: on PostgreSQL a value that sees a later commit is
        # then kept under the older version, which only readers of that older version are shown.
        qualified = (*(known or state(session)), key)
        with self._lock:
            if qualified in self._values:
                self._values.move_to_end(qualified)
                return self._values[qualified][0]
        value = compute()
        weight = self._weigh(value) if self._weigh is not None else 1
        with self._lock:
            if qualified not in self._values and weight <= size:
                self._values[qualified] = (value, weight)
                self._weight += weight
            while self._weight > size:
                _, (_, dropped) = self._values.popitem(last=False)
                self._weight -= dropped
        return value

    def __contains__(self, uid: object) -> bool:
        """Whether anything is kept for the library ``uid``."""
        with self._lock:
            return any(key[0] == uid for key in self._values)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(execute_state: ORMExecuteState) -> None:
    if not execute_state.is_select:  # Core INSERT / UPDATE / DELETE (or text) through the session
        execute_state.session.info[WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    # Flush first: what is still pending is written by this commit too. The version row is
    # updated last, just before COMMIT, so on PostgreSQL its row lock is held for the shortest time.
    session.flush()
    if wrote(session):
        session.connection().execute(_BUMP)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)
