"""Django's PostgreSQL backend, answering at once while the database is unreachable.

psycopg's pool makes every caller wait up to its ``timeout`` for a connection
that cannot come, and one request may ask several times: the public pages'
publication stamp (once in front of Django, once in its middleware), then the
session. With sync workers, a stopped database would hold every request for
the sum of those waits and queue the others behind it. So once a connection
could not be had, this process treats the database as unreachable for
``DATABASE_RETRY_AFTER`` seconds: every caller fails at once, Django's own
connections and the public stamp reader, which opens its own connection from
``get_connection_params()``. The next caller after that tries again, so the
process recovers by itself when the database is back.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import OperationalError

_unreachable_until = 0.0


class DatabaseUnreachable(OperationalError):
    """Raised without trying, while the last attempt to connect failed recently."""


def unreachable() -> bool:
    return time.monotonic() < _unreachable_until


def reset() -> None:
    """Forget the last failure (tests)."""
    global _unreachable_until
    _unreachable_until = 0.0


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        if unreachable():
            raise DatabaseUnreachable("The database was unreachable a moment ago.")
        return super().get_connection_params()

    def get_new_connection(self, conn_params):
        global _unreachable_until
        try:
            return super().get_new_connection(conn_params)
        except OperationalError:  # connection refused, timed out, or the pool gave up
            _unreachable_until = time.monotonic() + settings.DATABASE_RETRY_AFTER
            raise
