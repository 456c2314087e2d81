"""A real SMTP server on loopback (aiosmtpd, in a thread of the test) that keeps what it gets."""

from __future__ import annotations

import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from tests.servers import free_port


class MailServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, address: str) -> list[email.message.EmailMessage]:
        with self._lock:
            return [message for rcpt, message in self.received if address in rcpt]

    def wait_for(self, address: str, timeout: float) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while not self.messages_to(address):
            assert time.monotonic() < deadline, f"no email to {address} within {timeout} s"
            time.sleep(0.1)
        return self.messages_to(address)[-1]
