"""Which URLs may receive webhook events: http(s) to a public address, so that a webhook cannot be used to reach
the service's own network (SSRF).

The host is resolved and every address it resolves to must be global (`ipaddress`'s `is_global`, plus the
explicit loopback, private, link-local, multicast, reserved and unspecified tests): this refuses 127/8, 10/8,
172.16/12, 192.168/16, the cloud metadata address 169.254.169.254, 0.0.0.0, CGNAT 100.64/10, the documentation and
benchmark ranges, ::1, fc00::/7, fe80::/10 (with or without a zone), NAT64 and Teredo prefixes; an IPv4 address
carried inside IPv6 (::ffff:a.b.c.d, 6to4 2002::/16) is judged as that IPv4 address. Numeric hosts in any spelling
(2130706433, 0x7f.1, 0177.0.0.1) are judged by what they resolve to, and delivery connects to that checked address,
so no second URL parser can disagree. A user name or password in the URL is refused. Delivery resolves again and
connects to an address checked at that moment (`resolve_checked`), so a name that changes its answer after
registration (DNS rebinding) is caught too. `allow_private` (a setting) turns the address rule off for receivers on
a LAN and for tests. Refusals carry English and Chinese texts.
"""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

from ..errors import EvidenceError

RESOLVE_TIMEOUT_S = 5.0
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")  # getaddrinfo has no timeout


class UnsafeUrl(EvidenceError):
    def __init__(self, message: str, message_zh: str) -> None:
        # 403: a well-formed URL this service will not send to (its schema cannot say which hosts resolve where)
        super().__init__(message, message_zh, code="webhook-url-refused", status=403)


# Special-purpose ranges (IANA registries) that Python before 3.12.4/3.13 still calls global.
_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "3fff::/20", "5f00::/16"))


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address on the public internet that reaches no special-purpose range (pure)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is that IPv4 address itself
            return is_public(ip.ipv4_mapped)
        if ip.sixtofour is not None and not is_public(ip.sixtofour):  # NAT64 and Teredo: reserved/private below
            return False
    if any(ip in net for net in _NOT_GLOBAL if net.version == ip.version):
        return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL, or UnsafeUrl saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("the webhook URL is not a valid URL", "webhook 地址不是有效的 URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("the webhook URL must start with http:// or https:// and name a host",
                        "webhook 地址必须以 http:// 或 https:// 开头并包含主机名")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("the webhook URL must not contain a user name or password",
                        "webhook 地址中不能包含用户名或密码")
    if port == 0:
        raise UnsafeUrl("the webhook URL names port 0", "webhook 地址的端口不能为 0")
    return parts.scheme, parts.hostname, port if port is not None else (443 if parts.scheme == "https" else 80)


def resolve_checked(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, all of them checked; UnsafeUrl if any is not public (or none resolve)."""
    try:
        infos = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM).result(RESOLVE_TIMEOUT_S)
    except (OSError, UnicodeError, FutureTimeout):
        raise UnsafeUrl(f"the webhook host {host!r} cannot be resolved", f"无法解析 webhook 主机 {host!r}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeUrl(f"the webhook host {host!r} cannot be resolved", f"无法解析 webhook 主机 {host!r}")
    if not allow_private:
        for address in addresses:
            if "%" in address or not is_public(ipaddress.ip_address(address)):
                raise UnsafeUrl(
                    f"the webhook host {host!r} resolves to {address}, a loopback, private, link-local, "
                    "multicast or other non-public address; webhooks go to public addresses only",
                    f"webhook 主机 {host!r} 解析到 {address}，这是回环、私有、链路本地、组播或其他非公网地址；"
                    "webhook 只能发往公网地址")
    return addresses


def check_url(url: str, allow_private: bool) -> list[str]:
    """Refuse a URL that may not receive events (UnsafeUrl); return the addresses it resolves to now."""
    _scheme, host, port = split_url(url)
    return resolve_checked(host, port, allow_private)
