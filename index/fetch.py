"""Fetch one brief from a link, refusing what could reach inside our own network.

Only http(s). The host is resolved once, every address is checked (no loopback,
private, link-local, multicast, reserved or unspecified addresses unless the host
is in `allow_hosts`), and the connection goes to the checked address, so a DNS
answer that changes between check and connect (DNS rebinding) cannot redirect
it. Each redirect (at most MAX_REDIRECTS) is checked the same way. The body is
read up to `max_bytes` within about `timeout` seconds (see _read); only HTML, PDF and plain
text are accepted. Proxy settings in the environment are not used.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from index.errors import BriefError

MAX_REDIRECTS = 5
USER_AGENT = "briefbot/0.1"
# Accepted media types and the file suffix each is read as.
SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024

RefusedReason = Literal[
    "scheme",  # not http or https
    "bad-url",  # no host, a bad port, or user:password@ in it
    "address",  # the host resolves to a loopback, private, link-local... address
    "too-many-redirects",
    "content-type",  # not HTML, PDF or plain text
    "encoding",  # compressed although we asked for identity
    "too-large",  # more than max_bytes
]
FailedReason = Literal["dns", "connect", "timeout", "status", "protocol"]


class FetchError(BriefError):
    """A link could not be fetched; `reason` is a code, `detail` optional data."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{url}: {reason}" + (f" ({detail})" if detail else ""))
        self.url = url
        self.reason = reason
        self.detail = detail


class FetchRefused(FetchError):
    """We chose not to fetch it (scheme, address, type, size, redirects)."""

    def __init__(self, url: str, reason: RefusedReason, detail: str = "") -> None:
        super().__init__(url, reason, detail)


class FetchFailed(FetchError):
    """We tried and the network or the server said no (DNS, connection, timeout, status)."""

    def __init__(self, url: str, reason: FailedReason, detail: str = "") -> None:
        super().__init__(url, reason, detail)


@dataclass(frozen=True)
class Fetched:
    """A fetched body: the URL asked for, the URL it came from after redirects, its type."""

    url: str
    final_url: str
    content_type: str
    body: bytes
    suffix: str


@dataclass(frozen=True)
class _Target:
    url: str
    https: bool
    host: str
    port: int
    address: str
    path: str


def refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `ip` may not be fetched ('loopback', 'private'...), or None when it is public."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    # Most specific first: is_private also holds for loopback, link-local and unspecified.
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not-global"


def _target(url: str, allow_hosts: frozenset[str], deadline: float) -> _Target:
    """Check `url` and resolve its host to one address we may connect to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(url, "scheme", parts.scheme)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused(url, "bad-url", "port") from exc
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise FetchRefused(url, "bad-url", "host" if not host else "credentials")
    _remaining(url, deadline)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(url, "dns", host) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if host.lower() not in allow_hosts:
        for address in addresses:
            why = refusal(ipaddress.ip_address(address.split("%")[0]))
            if why:
                raise FetchRefused(url, "address", f"{host} is {address} ({why})")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(url, parts.scheme == "https", host, port, addresses[0], path)


def _remaining(url: str, deadline: float) -> float:
    """Seconds left before `deadline`; FetchFailed('timeout') when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed(url, "timeout")
    return left


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, whatever the host name resolves to now."""

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        """Connect to the checked address (the Host header still names the host)."""
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    """An HTTPS connection to a checked address; the certificate is checked for the host name."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target, timeout)
        self.context = ssl.create_default_context()

    def connect(self) -> None:
        """Connect to the checked address, then TLS with SNI and verification for the host."""
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.context.wrap_socket(sock, server_hostname=self.host)


def _read(url: str, response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """The body, refused as soon as it passes `max_bytes`.

    The deadline is checked between reads; one read waits at most the socket
    timeout (what was left of `timeout` at connect), so a server dripping bytes
    is cut off within about twice `timeout`.
    """
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(url, "too-large", f"{declared} bytes declared")
    chunks: list[bytes] = []
    size = 0
    while True:
        _remaining(url, deadline)
        chunk = response.read(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(url, "too-large", f"over {max_bytes} bytes")


def _accept(url: str, response: http.client.HTTPResponse) -> tuple[str, str]:
    """The media type and suffix of an acceptable response; FetchRefused otherwise."""
    media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if media not in SUFFIXES:
        raise FetchRefused(url, "content-type", media or "none")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise FetchRefused(url, "encoding", encoding)
    return media, SUFFIXES[media]


def _request(target: _Target, deadline: float) -> tuple[_PinnedHTTP, http.client.HTTPResponse]:
    """Send the GET to the pinned address and read the status line and headers."""
    timeout = _remaining(target.url, deadline)
    conn = _PinnedHTTPS(target, timeout) if target.https else _PinnedHTTP(target, timeout)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html, application/xhtml+xml, application/pdf, text/plain;q=0.9",
        "Accept-Encoding": "identity",
    }
    try:
        conn.request("GET", target.path, headers=headers)
        return conn, conn.getresponse()
    except TimeoutError as exc:
        conn.close()
        raise FetchFailed(target.url, "timeout") from exc
    except ssl.SSLError as exc:
        conn.close()
        raise FetchFailed(target.url, "connect", f"TLS: {exc.reason}") from exc
    except OSError as exc:
        conn.close()
        raise FetchFailed(target.url, "connect", exc.strerror or type(exc).__name__) from exc
    except http.client.HTTPException as exc:
        conn.close()
        raise FetchFailed(target.url, "protocol", type(exc).__name__) from exc


def fetch(
    url: str, *, allow_hosts: frozenset[str] = frozenset(), max_bytes: int, timeout: float
) -> Fetched:
    """GET `url` safely (see the module docstring); FetchRefused or FetchFailed when not."""
    deadline = time.monotonic() + timeout
    allow = frozenset(h.lower() for h in allow_hosts)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target = _target(current, allow, deadline)
        conn, response = _request(target, deadline)
        try:
            if response.status in _REDIRECTS and response.getheader("Location"):
                current = urljoin(current, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise FetchFailed(current, "status", str(response.status))
            media, suffix = _accept(current, response)
            try:
                body = _read(current, response, max_bytes, deadline)
            except TimeoutError as exc:
                raise FetchFailed(current, "timeout") from exc
            except (OSError, http.client.HTTPException) as exc:
                raise FetchFailed(current, "protocol", type(exc).__name__) from exc
            return Fetched(url, current, media, body, suffix)
        finally:
            conn.close()
    raise FetchRefused(url, "too-many-redirects", str(MAX_REDIRECTS))
