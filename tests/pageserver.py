"""A real HTTP server on loopback (http.server in a thread) serving the article-fetch test pages.

Routes are set per test: ``server.route(path, body=..., status=..., headers=..., drip=...)``.
``requests`` records every path that was asked for, so a test can tell that a refused
address was never reached.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "pages"


class PageServer:
    def __init__(self):
        self.routes: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's hook name
                server.requests.append((self.path, dict(self.headers)))
                spec = server.routes.get(self.path)
                if spec is None:
                    self.send_error(404)
                    return
                if spec.get("sleep"):
                    time.sleep(spec["sleep"])
                body = spec.get("body", b"")
                self.send_response(spec.get("status", 200))
                for name, value in spec["headers"].items():
                    self.send_header(name, value)
                if not (
                    "Content-Length" in spec["headers"] or spec.get("drip") or spec.get("no_length")
                ):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if spec.get("drip"):
                        for i in range(len(body)):
                            self.wfile.write(body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(spec["drip"])
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **spec) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        spec.setdefault("headers", {"Content-Type": "text/html; charset=utf-8"})
        self.routes[path] = {"body": body, **spec}
        return self.url(path)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()
