"""Settings for the test suite: production-like (DEBUG off) but over plain HTTP.

The environment still decides the database (DATABASE_URL), so the same suite
runs on the embedded SQLite default and on PostgreSQL in CI.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# Not a host any test request uses: absolute links must come from here, never
# from the request.
os.environ.setdefault("SITE_URL", "https://desk.example.org")
# The test client and the browser talk plain HTTP to the live server.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("STATIC_PLAIN", "1")
# Notification tasks run at once, into pytest-django's mail outbox; the queue
# as deployed (database backend, worker, SMTP) has its own tests.
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

# The article-fetch tests serve their pages from a local server on loopback.
os.environ.setdefault("ARTICLE_FETCH_ALLOWED_HOSTS", "127.0.0.1")

from .settings import *  # noqa: E402,F403

# Hashing demo passwords with the default hasher costs seconds per suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory, for the SQLite test database: the live server answers
# each request on its own thread and connection, as a real server would, so
# concurrent requests queue on SQLite's lock instead of sharing one
# in-memory connection ("database table is locked").
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / f".test-{os.getpid()}.sqlite3")  # noqa: F405
    }
