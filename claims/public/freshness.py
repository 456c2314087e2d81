"""The publication stamp: one database read that tells whether anything public changed.

Rendered public pages are reused (``page_cache``) for as long as the stamp
they were rendered under is the current one, and the stamp is read from the
database on every request. So an approval, a withdrawal, an edit of an
article or of the rating scale is visible on the very next request, whichever
gunicorn worker or server answers it: there is no cache an approval cannot
reach, because the only shared state is the database every worker asks.

The stamp is made of:

- the one row of ``PublicStamp``, which database triggers move in the
  transaction of every change to an article, a published version, or a claim
  that has one (approvals, withdrawals, updates, edits in the admin: see
  migration 0018). Reading one row costs the same at any size, where the
  counts and maxima over whole tables it replaced grew with the desk
  (benchmark_scale measures it);
- the rating scale itself (labels, descriptions, colours, order, and their
  translations, on the same rows: ``Rating.translations``), which the
  same query returns, so pages need no query of their own for it.

On PostgreSQL a stamp costs more than it should per request (the query plan
alone takes half a millisecond), so each process keeps one connection of its
own, outside the request cycle, and first asks it for
``pg_current_snapshot()``: a snapshot is the list of transactions in progress
and the next transaction id, so two equal snapshots mean that no transaction
that wrote anything committed in between, and the stamp computed with the
first one still holds. Only when the snapshot moved is the full stamp read
again, in the same statement as the new snapshot. Both statements are
prepared on the server. When Django's connection is inside a transaction
(tests, or a view in ``atomic``), that connection is used instead, so that the
stamp sees what the transaction sees.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from dataclasses import dataclass

from django.db import connections

from ..models import PublicStamp, Rating
from .scale import Scale, canonical_translations

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Stamp:
    """What public pages depend on, as of one read. Equal keys, equal pages."""

    key: tuple
    scale: Scale


def current_stamp(request=None) -> Stamp:
    """The stamp for this request, read once per request."""
    if request is not None:
        stamp = getattr(request, "_public_stamp", None)
        if stamp is not None:
            return stamp
    stamp = _reader.read()
    if request is not None:
        request._public_stamp = stamp
    return stamp


def _stamp_sql(quote, *, with_snapshot: bool, in_transaction: bool = False) -> str:
    stamp = quote(PublicStamp._meta.db_table)
    rating = quote(Rating._meta.db_table)
    order = quote("order")
    snapshot = "pg_current_snapshot()::text AS snapshot, " if with_snapshot else ""
    if in_transaction:
        # PostgreSQL bumps the stamp at commit; inside a transaction this
        # function bumps it first for the changes the transaction made.
        row = "SELECT * FROM claims_public_stamp_read()"
    else:
        # A missing row (a flushed test database) reads as NULLs, itself a stamp.
        row = (
            f"SELECT {snapshot}"  # noqa: S608 - identifiers from the models, quoted
            f"(SELECT generation FROM {stamp} WHERE id = 1) AS generation, "
            f"(SELECT epoch FROM {stamp} WHERE id = 1) AS epoch"
        )
    # Identifiers only, from the models and quoted.
    return (
        f"SELECT s.*, r.id, r.label, r.description, r.value, r.colour, r.{order}, "  # noqa: S608
        f"r.translations "
        f"FROM ({row}) s LEFT JOIN {rating} r ON 1 = 1 "
        f"ORDER BY r.{order}, r.id"
    )


_SCALARS = 2  # the stamp row's columns before the rating columns
_SNAPSHOT_STATEMENT = b"public_stamp_snapshot"
_SNAPSHOT_SQL = b"SELECT pg_current_snapshot()::text"


class _StampReader:
    """Reads stamps; an unchanged stamp is returned as the same object, not rebuilt."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last: Stamp | None = None  # through Django's connection
        # PostgreSQL only: the process's own connection, and the snapshot and
        # stamp it read last.
        self._watcher = None
        self._watcher_pid = None
        self._full_sql = ""
        self._watched: tuple[str, Stamp] | None = None
        self._abandoned = []  # connections inherited across a fork: never touched again

    def read(self) -> Stamp:
        default = connections["default"]
        if default.vendor == "postgresql" and not default.in_atomic_block:
            with self._lock:
                try:
                    return self._read_with_watcher()
                except Exception:  # the watcher is an optimisation: fall back, reconnect later
                    logger.warning("Public stamp watcher failed; reconnecting.", exc_info=True)
                    self._drop_watcher()
        with default.cursor() as cursor:
            pending = default.vendor == "postgresql" and default.in_atomic_block
            cursor.execute(
                _stamp_sql(default.ops.quote_name, with_snapshot=False, in_transaction=pending)
            )
            self._last = _stamp(cursor.fetchall(), self._last)
            return self._last

    # -- PostgreSQL -----------------------------------------------------------

    def _read_with_watcher(self) -> Stamp:
        watcher = self._connect()
        # The one statement of almost every request, through libpq directly:
        # psycopg's cursor machinery costs more CPU than the query itself.
        result = watcher.pgconn.exec_prepared(_SNAPSHOT_STATEMENT, None)
        if result.status != self._pq.ExecStatus.TUPLES_OK:
            raise self._psycopg.OperationalError(result.error_message.decode(errors="replace"))
        snapshot = result.get_value(0, 0).decode("ascii")
        if self._watched is not None and self._watched[0] == snapshot:
            return self._watched[1]
        rows = watcher.execute(self._full_sql, prepare=True).fetchall()
        previous = self._watched[1] if self._watched else None
        stamp = _stamp([row[1:] for row in rows], previous)
        # The snapshot of the statement that read the stamp, not the one above:
        # something may have committed between the two.
        self._watched = (rows[0][0], stamp)
        return stamp

    def _connect(self):
        if self._watcher is not None and self._watcher_pid == os.getpid():
            if not self._watcher.closed:
                return self._watcher
            self._watcher = None
        if self._watcher is not None:  # forked: the socket belongs to the parent
            self._abandoned.append(self._watcher)
            self._watcher = None
        import psycopg
        from psycopg import pq

        self._psycopg, self._pq = psycopg, pq
        wrapper = connections["default"]
        params = wrapper.get_connection_params()
        for django_only in ("cursor_factory", "context"):
            params.pop(django_only, None)
        params["prepare_threshold"] = None  # our statements are prepared explicitly
        self._full_sql = _stamp_sql(wrapper.ops.quote_name, with_snapshot=True)
        self._watched = None
        watcher = psycopg.connect(autocommit=True, **params)
        prepared = watcher.pgconn.prepare(_SNAPSHOT_STATEMENT, _SNAPSHOT_SQL)
        if prepared.status != pq.ExecStatus.COMMAND_OK:
            watcher.close()
            raise psycopg.OperationalError(prepared.error_message.decode(errors="replace"))
        self._watcher, self._watcher_pid = watcher, os.getpid()
        return watcher

    def _drop_watcher(self) -> None:
        watcher, self._watcher, self._watched = self._watcher, None, None
        if watcher is not None and self._watcher_pid == os.getpid():
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                watcher.close()


def _stamp(rows, previous: Stamp | None) -> Stamp:
    scalars = tuple(rows[0][:_SCALARS])
    ratings = tuple(
        (*row[_SCALARS:-1], canonical_translations(row[-1]))
        for row in rows
        if row[_SCALARS] is not None
    )
    key = (scalars, ratings)
    if previous is not None and previous.key == key:
        return previous
    return Stamp(key=key, scale=Scale.from_rows(ratings))


_reader = _StampReader()


def close() -> None:
    """Close this process's watcher connection (tests; it reopens when needed)."""
    with _reader._lock:
        _reader._drop_watcher()
