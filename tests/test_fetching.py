"""Fetching an article from its address: real HTTP to a local server, and every SSRF refusal.

The local server listens on 127.0.0.1, which the test settings allow-list
(ARTICLE_FETCH_ALLOWED_HOSTS). No test ever sends traffic to a private address: refused
addresses are refused by the address check, before any socket is opened, and
``connections`` records every socket the fetch opens to prove it.
"""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest
from pageserver import page

from claims import fetching
from claims.fetching import FetchError, fetch, is_public_address
from claims.views.desk import fetched_fields


@pytest.fixture
def connections(monkeypatch):
    """Every address the fetch connects to; only loopback (our server) is let through."""
    opened: list[tuple[str, int]] = []
    real = fetching._open_socket

    def record(address, port, timeout):
        opened.append((address, port))
        assert ipaddress.ip_address(address).is_loopback, f"tried to connect to {address}"
        return real(address, port, timeout)

    monkeypatch.setattr(fetching, "_open_socket", record)
    return opened


def refused(url: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url)
    return info.value


# ---------------------------------------------------------------------------------------
# Pages that are fetched
# ---------------------------------------------------------------------------------------


def test_news_page_main_text_and_metadata(server, connections):
    url = server.route("/2026/03/tram.html", page("news.html"))
    fields = fetched_fields(url)
    assert fields["title"] == "Tram line 3 reopens after two years of works"
    assert fields["byline"] == "Maya Okafor"
    assert fields["outlet"] == "The Riverside Herald"
    assert str(fields["published_on"]) == "2026-03-14"
    assert fields["language"] == "en"
    assert fields["url"] == url
    text = fields["text"]
    assert text.startswith("The city's tram line 3 reopened on Saturday morning")
    assert "said Léa Martin" in text
    assert len(text.split("\n\n")) == 5
    for junk in (
        "Home",
        "Advertisement",
        "Sponsored",
        "Related articles",
        "Bus fares",
        "Finally!",
        "taxpayers",
        "©",
        "Subscribe",
        "Privacy",
    ):
        assert junk not in text, junk
    assert connections == [("127.0.0.1", server.port)]


def test_request_is_identified_and_sent_to_the_typed_host(server, connections):
    url = server.route("/a", page("news.html"))
    fetch(url)
    path, headers = server.requests[-1]
    assert path == "/a"
    assert headers["Host"] == f"127.0.0.1:{server.port}"
    assert "FactCheckDesk" in headers["User-Agent"]


@pytest.mark.parametrize("name", ["french-meta-1252.html", "french-no-charset.html"])
def test_french_windows_1252_without_charset_header(server, connections, name):
    url = server.route("/fr", page(name), headers={"Content-Type": "text/html"})
    fields = fetched_fields(url)
    text = fields["text"]
    assert "a annoncé l’autorité des transports" in text
    assert "« C’est un soulagement », a déclaré Cécile Lefèvre" in text
    assert "l’œuvre de rénovation" in text
    assert "Publicité" not in text and "Accueil" not in text and "©" not in text
    assert fields["title"] == "La ligne de tram rouvre ses portes"
    assert fields["byline"] == "Élodie Marchand"
    assert fields["language"] == "fr"
    assert str(fields["published_on"]) == "2026-02-03"


def test_charset_from_the_header_wins(server, connections):
    body = "<html><body><article><p>" + "Le café de la gare est fermé. " * 8 + "</p></article>"
    url = server.route(
        "/h", body.encode("iso-8859-15"), headers={"Content-Type": "text/html; charset=ISO-8859-15"}
    )
    assert "Le café de la gare est fermé." in fetched_fields(url)["text"]


def test_plain_text_page(server, connections):
    url = server.route(
        "/t.txt",
        "Premier paragraphe.\r\n\r\n\r\nSecond paragraphe.  \n",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert fetched_fields(url) == {"url": url, "text": "Premier paragraphe.\n\nSecond paragraphe."}


def test_gzip_body_is_read(server, connections):
    import gzip

    url = server.route(
        "/z",
        gzip.compress(page("news.html")),
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
    )
    assert "tram line 3 reopened" in fetched_fields(url)["text"]


def test_five_redirects_are_followed(server, connections):
    for i in range(5):
        server.route(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    server.route("/r5", page("news.html"))
    result = fetch(server.url("/r0"))
    assert result.url == server.url("/r5")
    assert len(connections) == 6


# ---------------------------------------------------------------------------------------
# Pages that are refused
# ---------------------------------------------------------------------------------------


def test_six_redirects_are_refused(server, connections):
    for i in range(6):
        server.route(f"/r{i}", status=301, headers={"Location": server.url(f"/r{i + 1}")})
    server.route("/r6", page("news.html"))
    error = refused(server.url("/r0"))
    assert error.code == "redirects"
    assert "more than 5 times" in error.message
    assert "/r6" not in [p for p, _ in server.requests]


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"]
)
def test_redirect_to_a_private_address_is_refused_before_connecting(server, connections, target):
    url = server.route("/go", status=302, headers={"Location": target})
    error = refused(url)
    assert error.code == "private_address"
    assert error.message.startswith("That address points inside our network")
    assert connections == [("127.0.0.1", server.port)]  # our server, and nothing after it


def test_redirect_to_another_scheme_is_refused(server, connections):
    url = server.route("/go", status=302, headers={"Location": "file:///etc/passwd"})
    assert refused(url).code == "scheme"


def test_too_large_by_content_length(server, connections):
    url = server.route("/big", b"<p>" + b"x" * (5 * 1024 * 1024) + b"</p>")
    error = refused(url)
    assert error.code == "too_large"
    assert error.message.startswith("The page is larger than 5 MB")


def test_too_large_while_streaming(server, connections):
    # No Content-Length: the body is read until the server closes, and cut at 5 MB.
    url = server.route("/big", b"<p>" + b"x" * (6 * 1024 * 1024), no_length=True)
    assert refused(url).code == "too_large"


def test_compressed_bomb_is_cut(server, connections):
    import gzip

    url = server.route(
        "/bomb",
        gzip.compress(b" " * (50 * 1024 * 1024)),
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    assert refused(url).code == "too_large"


def test_slow_server_hits_the_deadline(server, connections, settings):
    settings.ARTICLE_FETCH_TIMEOUT = 1
    url = server.route("/slow", page("news.html"), sleep=1.6)
    started = time.monotonic()
    error = refused(url)
    assert error.code == "timeout"
    assert error.message.startswith("The site took longer than 1 seconds")
    assert time.monotonic() - started < 1.5


def test_slow_drip_body_is_cut_at_the_total_deadline(server, connections, settings):
    # Every byte arrives well within any per-read timeout; only a total deadline stops it.
    settings.ARTICLE_FETCH_TIMEOUT = 1
    url = server.route("/drip", b"<p>" + b"a" * 60 + b"</p>", drip=0.05)
    started = time.monotonic()
    assert refused(url).code == "timeout"
    assert time.monotonic() - started < 1.5


def test_default_deadline_is_ten_seconds_in_all(settings):
    from django.conf import settings as live

    assert live.ARTICLE_FETCH_TIMEOUT == 10
    assert live.ARTICLE_FETCH_MAX_BYTES == 5 * 1024 * 1024
    assert live.ARTICLE_FETCH_MAX_REDIRECTS == 5


def test_image_is_not_a_web_page(server, connections):
    url = server.route(
        "/photo", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, headers={"Content-Type": "image/png"}
    )
    error = refused(url)
    assert error.code == "content_type"
    assert error.message.startswith("That is not a web page (image/png)")


def test_http_error_status(server, connections):
    assert refused(server.url("/missing")).code == "http_status"


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"]
)
def test_only_http_and_https(url, connections):
    assert refused(url).code == "scheme"
    assert connections == []


def test_loopback_is_refused_when_not_allow_listed(server, connections, settings):
    settings.ARTICLE_FETCH_ALLOWED_HOSTS = []
    url = server.route("/a", page("news.html"))
    assert refused(url).code == "private_address"
    assert connections == [] and server.requests == []


# ---------------------------------------------------------------------------------------
# The address check, one range at a time
# ---------------------------------------------------------------------------------------

INSIDE = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.1",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "233.252.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.0.192",
    "198.18.0.1",
    "192.0.2.1",
    "168.63.129.16",
    "::1",
    "::",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "fe80::1%1",
    "ff02::1",
    "ff0e::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "2002:7f00:1::",
    "2002:a9fe:a9fe::1",
    "64:ff9b::a00:1",
    "64:ff9b::7f00:1",
    "64:ff9b:1::a00:1",
    "2001:db8::1",
    "2001::1",
]
OUTSIDE = [
    "8.8.8.8",
    "93.184.215.14",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", INSIDE)
def test_inside_addresses_are_not_public(address):
    assert not is_public_address(ipaddress.ip_address(address.split("%")[0]))


@pytest.mark.parametrize("address", OUTSIDE)
def test_public_addresses_are_public(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "[::1]",
        "[fc00::1]",
        "[fe80::1]",
        "[::ffff:127.0.0.1]",
        "0.0.0.0",
        "224.0.0.1",
        "[ff02::1]",
        "127.0.0.2",
        "0177.0.0.1",
    ],
)
def test_literal_inside_urls_are_refused_before_connecting(host, connections):
    error = refused(f"http://{host}/latest/meta-data/")
    assert error.code in ("private_address", "dns")
    assert connections == []


def test_decimal_ip_literal_cannot_sneak_in(connections, monkeypatch):
    # "http://2130706433/" is 127.0.0.1 to some resolvers: whatever it resolves to is checked.
    monkeypatch.setattr(
        fetching,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))],
    )
    assert refused("http://2130706433/").code == "private_address"
    assert connections == []


def fake_dns(*answers):
    """A resolver that gives each answer in turn (the last one again after that)."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        addresses = answers[min(len(calls), len(answers)) - 1]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    getaddrinfo.calls = calls
    return getaddrinfo


def test_name_resolving_to_a_private_address_is_refused(monkeypatch, connections):
    monkeypatch.setattr(fetching, "getaddrinfo", fake_dns(["10.1.2.3"]))
    assert refused("https://intranet.example/").code == "private_address"
    assert connections == []


def test_name_with_any_private_answer_is_refused(monkeypatch, connections):
    monkeypatch.setattr(fetching, "getaddrinfo", fake_dns(["93.184.215.14", "192.168.0.10"]))
    assert refused("http://mixed.example/").code == "private_address"
    assert connections == []


def test_name_resolving_to_ipv6_private_is_refused(monkeypatch, connections):
    monkeypatch.setattr(fetching, "getaddrinfo", fake_dns(["fd12:3456::1"]))
    assert refused("http://v6.example/").code == "private_address"


def test_dns_rebinding_connects_to_the_checked_address(server, monkeypatch):
    """The resolver answers public first and private second: the connection must go to the
    public address that was checked, and the name must not be resolved again."""
    resolver = fake_dns(["93.184.215.14"], ["127.0.0.1"])
    monkeypatch.setattr(fetching, "getaddrinfo", resolver)
    opened = []

    def to_local_server(address, port, timeout):
        opened.append((address, port))
        # Stand in for the public host: carry the bytes to our server, not to the internet.
        return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)

    monkeypatch.setattr(fetching, "_open_socket", to_local_server)
    server.route("/story", page("news.html"))
    result = fetch("http://news.example/story")
    assert opened == [("93.184.215.14", 80)]
    assert resolver.calls == ["news.example"]
    assert server.requests[-1][1]["Host"] == "news.example"
    assert "tram line 3" in result.content


def test_unknown_host(monkeypatch, connections):
    def fail(*a, **k):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(fetching, "getaddrinfo", fail)
    error = refused("https://no-such-host.example/")
    assert error.code == "dns" and "no-such-host.example" in error.message
