"""Processes the tests serve the project with (gunicorn, the task worker), on loopback.

Each runs in a session of its own, so that stopping it stops its workers too; what it
printed is shown by pytest when the test fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    """Whether `url` answers with a success (urlopen raises on errors and refusals)."""
    with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback, the test's own server
        return True


@contextlib.contextmanager
def serving(command, *, env, cwd, name, ready=None, timeout=30):
    """Run `command` until the block ends; with `ready`, wait until ``ready()`` is true
    (an OSError counts as not yet), failing if the process exits or `timeout` passes."""
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - read and closed in finally
    process = subprocess.Popen(  # noqa: S603 - the project's own programs, fixed arguments
        command, env=env, cwd=cwd, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + timeout
        while ready is not None:
            assert process.poll() is None, f"{name} exited"
            try:
                if ready():
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{name} did not answer"
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.seek(0)
        print(f"--- {name} output ---\n{log.read()}")
        log.close()
