"""The link fetcher, against an http.server on 127.0.0.1 (no other traffic)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from index.fetch import MAX_REDIRECTS, Fetched, FetchFailed, FetchRefused, fetch, refusal

LOCAL = frozenset({"127.0.0.1"})
PAGE = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello.</p></body></html>"
CAP = 10_000

# path -> (status, headers, body)
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/page.html": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
    "/brief.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n"),
    "/notes": (200, {"Content-Type": "text/plain"}, b"Plain notes."),
    "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
    "/no-type": (200, {}, b"what am I"),
    "/gzip": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, b"\x1f\x8b"),
    "/big-declared": (200, {"Content-Type": "text/html"}, b"x" * (CAP + 1)),
    "/missing": (404, {"Content-Type": "text/html"}, b"<p>Not found</p>"),
    "/to-page": (302, {"Location": "/page.html"}, b""),
    "/to-private": (302, {"Location": "http://10.1.2.3/secret"}, b""),
    "/to-metadata": (301, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
    "/to-localhost": (307, {"Location": "http://localhost:{port}/page.html"}, b""),
    "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
}


class Handler(BaseHTTPRequestHandler):
    seen_hosts: list[str] = []  # noqa: RUF012  (one server per module, written by its thread)

    def do_GET(self):
        Handler.seen_hosts.append(self.headers.get("Host", ""))
        if self.path == "/slow":
            time.sleep(2)  # longer than the client's timeout below
            return
        if self.path == "/big-undeclared":
            # No Content-Length: the cap must stop the read, not the header.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"y" * (CAP * 3))
            return
        status, headers, body = ROUTES.get(self.path, (404, {}, b""))
        self.send_response(status)
        port = self.server.server_address[1]
        for key, value in headers.items():
            self.send_header(key, value.replace("{port}", str(port)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def get(url: str, allow: frozenset[str] = LOCAL) -> Fetched:
    return fetch(url, allow_hosts=allow, max_bytes=CAP, timeout=5)


@pytest.mark.parametrize(
    ("path", "content_type", "suffix", "body"),
    [
        ("/page.html", "text/html", ".html", PAGE),
        ("/brief.pdf", "application/pdf", ".pdf", b"%PDF-1.7\n"),
        ("/notes", "text/plain", ".txt", b"Plain notes."),
    ],
)
def test_allowed_types_are_fetched(base, path, content_type, suffix, body):
    got = get(base + path)
    assert got == Fetched(base + path, base + path, content_type, body, suffix)


def test_a_redirect_is_followed_and_reported(base):
    got = get(base + "/to-page")
    assert (got.url, got.final_url, got.body) == (base + "/to-page", base + "/page.html", PAGE)


def test_loopback_is_refused_without_allow_hosts(base):
    with pytest.raises(FetchRefused) as caught:
        get(base + "/page.html", allow=frozenset())
    assert caught.value.reason == "address"
    assert "loopback" in caught.value.detail


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-private", "address"),
        ("/to-metadata", "address"),
        ("/to-localhost", "address"),  # localhost resolves to loopback and is not allowed
        ("/to-file", "scheme"),
        ("/loop", "too-many-redirects"),
        ("/image.png", "content-type"),
        ("/no-type", "content-type"),
        ("/gzip", "encoding"),
        ("/big-declared", "too-large"),
        ("/big-undeclared", "too-large"),
    ],
)
def test_refused(base, path, reason):
    with pytest.raises(FetchRefused) as caught:
        get(base + path)
    assert caught.value.reason == reason


def test_redirects_are_counted(base):
    Handler.seen_hosts.clear()
    with pytest.raises(FetchRefused):
        get(base + "/loop")
    assert len(Handler.seen_hosts) == MAX_REDIRECTS + 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://127.0.0.1/brief.pdf", "scheme"),
        ("gopher://127.0.0.1/", "scheme"),
        ("127.0.0.1/page.html", "scheme"),
        ("http:///nohost", "bad-url"),
        ("http://user:pw@127.0.0.1/", "bad-url"),
        ("http://127.0.0.1:99999/", "bad-url"),
        ("http://0.0.0.0/", "address"),
        ("http://[::1]/", "address"),
        ("http://[::ffff:127.0.0.1]/", "address"),
        ("http://192.168.1.1/", "address"),
        ("http://100.64.0.1/", "address"),
        ("http://224.0.0.1/", "address"),
        ("http://240.0.0.1/", "address"),
    ],
)
def test_refused_before_any_connection(url, reason):
    with pytest.raises(FetchRefused) as caught:
        fetch(url, max_bytes=CAP, timeout=5)
    assert caught.value.reason == reason
    assert caught.value.url == url


def test_http_errors_are_failures_with_the_status(base):
    with pytest.raises(FetchFailed) as caught:
        get(base + "/missing")
    assert (caught.value.reason, caught.value.detail) == ("status", "404")


def test_connects_to_the_address_it_checked(base, monkeypatch):
    """Resolved once per hop: a second, different DNS answer (rebinding) is never asked for."""
    port = base.rsplit(":", 1)[1]
    answers = iter(["127.0.0.1", "10.9.9.9"])
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "brief.test":
            return real(next(answers), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    Handler.seen_hosts.clear()
    got = get(f"http://brief.test:{port}/page.html", allow=frozenset({"brief.test"}))
    assert got.body == PAGE
    assert Handler.seen_hosts == [f"brief.test:{port}"]
    assert next(answers) == "10.9.9.9"  # the second answer was never used


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::", "unspecified"),
        ("::ffff:10.0.0.1", "private"),
        ("100.64.0.1", "not-global"),
    ],
)
def test_refusal(address, why):
    assert refusal(ipaddress.ip_address(address)) == why


def test_a_silent_server_times_out(base):
    with pytest.raises(FetchFailed) as caught:
        fetch(base + "/slow", allow_hosts=LOCAL, max_bytes=CAP, timeout=0.3)
    assert caught.value.reason == "timeout"
