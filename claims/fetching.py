"""Fetching an article from an address an editor typed, without letting it reach inside.

The desk runs next to the newsroom's databases, admin consoles and the cloud's metadata
service, so a URL typed into **Article URL** is treated as hostile (server-side request
forgery): only http and https; the host is resolved once, every address it resolves to must
be a public one, and the connection then goes to that checked address, never to a second
resolution (a DNS answer that changes between check and connect is the "rebinding" attack).
Redirects are followed by hand, at most ``ARTICLE_FETCH_MAX_REDIRECTS``, each one checked
again.  The whole fetch, redirects and body included, has one deadline
(``ARTICLE_FETCH_TIMEOUT`` seconds, not per read) and the body is read in chunks and cut at
``ARTICLE_FETCH_MAX_BYTES``.  Only HTML and plain text are accepted.

Hosts in ``ARTICLE_FETCH_ALLOWED_HOSTS`` skip the address check (tests, intranet sites);
nothing else does.  Every refusal raises :class:`FetchError` with a message for the editor.

http.client (stdlib) is used rather than a higher-level client because it lets us open the
socket to the checked address ourselves while the Host header, TLS SNI and certificate
check still use the name the editor typed.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPTED_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}
_CHUNK = 64 * 1024
_USER_AGENT = "FactCheckDesk/1.0 (article import)"

# Addresses that is_global does not catch but that must never be fetched: Azure's wire
# server answers on a public address inside every VM, and Oracle's metadata service on an
# address older Pythons count as global.  (AWS/GCP/Azure IMDS 169.254.169.254,
# AWS fd00:ec2::254 and Alibaba 100.100.100.200 are link-local, private or shared space.)
_METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("168.63.129.16"), ipaddress.ip_address("192.0.0.192")}  # Azure, Oracle
)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"),)

getaddrinfo = socket.getaddrinfo  # module-level so tests can stand in for DNS


class FetchError(Exception):
    """A fetch the desk refuses; ``message`` is for the editor, ``code`` for tests and logs."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FetchedPage:
    url: str  # the final address, after redirects
    content: str  # decoded
    kind: str  # "html" or "text"


def _limits():
    return (
        float(settings.ARTICLE_FETCH_TIMEOUT),
        int(settings.ARTICLE_FETCH_MAX_BYTES),
        int(settings.ARTICLE_FETCH_MAX_REDIRECTS),
    )


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for a unicast address on the public internet.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4
    ``2002::/16``, NAT64 ``64:ff9b::/96``, Teredo) are judged by the IPv4 address they reach.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.teredo:  # a tunnel whose far end we cannot check
            return False
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_private
        and address not in _METADATA_ADDRESSES
    )


def _host_allowed(host: str) -> bool:
    allowed = {h.strip().lower().strip("[]") for h in settings.ARTICLE_FETCH_ALLOWED_HOSTS}
    return host.lower() in allowed


def _inside_error() -> FetchError:
    return FetchError(
        "private_address",
        gettext(
            "That address points inside our network or to a private address, so the desk "
            "does not fetch it. Use the article's public address, or paste the text."
        ),
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """Check scheme and host, resolve it; return (scheme, host, port, checked IP).

    Raises FetchError before any connection is made.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError("bad_url", gettext("That is not a valid web address.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            "scheme",
            gettext("Only http:// and https:// addresses can be fetched."),
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("bad_url", gettext("That is not a valid web address."))
    port = port or (443 if scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not _host_allowed(host) and not is_public_address(literal):
            raise _inside_error()
        return scheme, host, port, str(literal)
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError("bad_url", gettext("That is not a valid web address.")) from None
    try:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchError(
            "dns",
            gettext("The site %(host)s could not be found. Check the address.") % {"host": host},
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(
            "dns",
            gettext("The site %(host)s could not be found. Check the address.") % {"host": host},
        )
    # Every answer is checked, not only the one we will use: a name that resolves to any
    # inside address is not a public site.
    if not _host_allowed(host) and not all(is_public_address(a) for a in addresses):
        raise _inside_error()
    return scheme, host, port, str(addresses[0])


def _open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """The only place a connection is opened: to the address that was checked."""
    return socket.create_connection((address, port), timeout=timeout)


def _connection(scheme: str, host: str, port: int, address: str, timeout: float):
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    # http.client would resolve ``host`` again; we connect to the checked address instead,
    # while the Host header, SNI and certificate check keep using the name.
    conn._create_connection = lambda _addr, timeout=timeout, *_a: _open_socket(
        address, port, timeout
    )
    return conn


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# Labels that browsers read as windows-1252 (WHATWG Encoding): pages that say latin-1 mean it.
_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        import codecs

        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_body(data: bytes, header_charset: str | None, kind: str) -> str:
    """Charset from the headers, else the document's meta charset, else detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    codec = _codec(header_charset)
    if codec is None and kind == "html":
        match = _META_CHARSET.search(data[:4096])
        codec = _codec(match.group(1).decode("ascii")) if match else None
    if codec is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(data).best()
            codec = _codec(best.encoding) if best else None
            if codec in (None, "latin_1", "iso8859-1"):
                codec = "cp1252"
    return data.decode(codec, errors="replace")


def _amount(value: float) -> str:
    """10 rather than 10.0, in the reader's number format."""
    value = float(value)
    return number_format(value, decimal_pos=0 if value.is_integer() else 1)


def _too_slow(timeout: float) -> FetchError:
    return FetchError(
        "timeout",
        gettext(
            "The site took longer than %(seconds)s seconds to send the page. Try again later, "
            "or paste the text."
        )
        % {"seconds": _amount(timeout)},
    )


def _too_large(limit: int) -> FetchError:
    return FetchError(
        "too_large",
        gettext("The page is larger than %(size)s MB, so the desk did not load it.")
        % {"size": _amount(limit / (1024 * 1024))},
    )


def _read_body(response, limit: int, deadline: float, timeout: float, expired) -> bytes:
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    inflate = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflate = zlib.decompressobj(47)  # gzip or zlib header, detected
    elif encoding != "identity":
        raise FetchError("encoding", gettext("The site sent the page in a form we cannot read."))
    length = response.getheader("Content-Length")
    if inflate is None and length and length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        if expired.is_set() or time.monotonic() >= deadline:
            raise _too_slow(timeout)
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            # max_length bounds the output, so a small compressed "bomb" cannot blow up.
            chunk = inflate.decompress(chunk, limit + 1 - size)
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    if expired.is_set() or time.monotonic() >= deadline:  # cut short by the watchdog
        raise _too_slow(timeout)
    return b"".join(chunks)


def fetch(url: str) -> FetchedPage:
    """Fetch ``url`` under the rules in the module docstring; raise FetchError otherwise."""
    timeout, limit, max_redirects = _limits()
    deadline = time.monotonic() + timeout
    for _hop in range(max_redirects + 1):
        scheme, host, port, address = check_url(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _too_slow(timeout)
        conn = _connection(scheme, host, port, address, remaining)
        # One watchdog per hop makes the deadline total: a server that drips one byte at a
        # time never lets a single read time out, so the socket is shut when time is up.
        expired = threading.Event()

        def stop(conn=conn, expired=expired):
            expired.set()
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed: nothing to stop
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(remaining, stop)
        watchdog.daemon = True
        watchdog.start()
        try:
            path = urlsplit(url).path or "/"
            query = urlsplit(url).query
            conn.request(
                "GET",
                path + (f"?{query}" if query else ""),
                headers={
                    "User-Agent": _USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
                    "Accept-Encoding": "gzip, deflate",
                },
            )
            response = conn.getresponse()
            if response.status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(
                        "http_status",
                        gettext("The site answered with an error (%(status)s).")
                        % {"status": response.status},
                    )
                url = urljoin(url, location.strip())
                continue
            if response.status != 200:
                raise FetchError(
                    "http_status",
                    gettext("The site answered with an error (%(status)s). Check the address.")
                    % {"status": response.status},
                )
            content_type = response.getheader("Content-Type") or "text/html"
            mime = content_type.split(";")[0].strip().lower()
            kind = ACCEPTED_TYPES.get(mime)
            if kind is None:
                raise FetchError(
                    "content_type",
                    gettext(
                        "That is not a web page (%(type)s). Only HTML pages and plain text "
                        "can be fetched."
                    )
                    % {"type": mime or "?"},
                )
            match = re.search(r"charset\s*=\s*\"?([^\";\s]+)", content_type, re.IGNORECASE)
            data = _read_body(response, limit, deadline, timeout, expired)
            return FetchedPage(
                url=url, content=decode_body(data, match and match.group(1), kind), kind=kind
            )
        except FetchError:
            raise
        except ssl.SSLError:
            raise FetchError(
                "tls",
                gettext("The site's security certificate could not be verified."),
            ) from None
        except (OSError, http.client.HTTPException, zlib.error):
            if expired.is_set() or time.monotonic() >= deadline:
                raise _too_slow(timeout) from None
            raise FetchError(
                "connection",
                gettext("The site could not be reached. Check the address, or try again later."),
            ) from None
        finally:
            watchdog.cancel()
            conn.close()
    raise FetchError(
        "redirects",
        gettext("The page redirects more than %(count)s times, so the desk stopped following it.")
        % {"count": max_redirects},
    )
