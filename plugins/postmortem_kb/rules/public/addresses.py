"""Hosts and addresses as a browser reads them: `127.1` is 127.0.0.1, `0x7f.1` too,
`[::ffff:10.0.0.1]` is 10.0.0.1. A private address in any of these forms is a leak.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def is_private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Private, loopback, link-local or carrier-grade NAT: an address the public cannot reach."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_private(ip.ipv4_mapped)
        if ip.is_unspecified:
            return False
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
    )


def whatwg_ipv4(host: str, decimal_only: bool = False) -> ipaddress.IPv4Address | None:
    """`host` read as a browser reads an IPv4 host: 1 to 4 parts, the last filling the
    remaining bytes (`127.1` is 127.0.0.1, `10.1` is 10.0.0.1), parts in decimal, octal
    (`0177`) or hex (`0x7f`); None when it is not one."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # a trailing dot
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for p in parts:
        if not p or len(p) > 12:
            return None
        try:
            if decimal_only:
                v = int(p, 10) if p.isdigit() and p.isascii() else -1
            elif p[:2] in ("0x", "0X"):
                v = int(p[2:], 16) if p[2:] else 0
            elif len(p) > 1 and p[0] == "0":
                v = int(p[1:], 8)
            else:
                v = int(p, 10) if p.isdigit() and p.isascii() else -1
        except ValueError:
            return None
        if v < 0:
            return None
        values.append(v)
    last = values.pop()
    if any(v > 255 for v in values) or last >= 256 ** (4 - len(values)):
        return None
    number = last
    for i, v in enumerate(values):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def private_host(host: str) -> bool:
    """A host that is a private, loopback or link-local address in any form a browser accepts."""
    host = host.strip("[]")
    if ":" in host:
        try:
            return is_private(ipaddress.IPv6Address(host.split("%", 1)[0]))
        except ValueError:
            return False
    ip = whatwg_ipv4(host)
    return ip is not None and is_private(ip)


# A URL whose host is plain letters, digits, dots and dashes, with a port or not and
# nothing before it: its host is what urlsplit().hostname gives, at a fraction of the cost.
_PLAIN_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|\Z)")


def host_of(url: str) -> str:
    """The lower-case host of `url`; "" when it has none or cannot be read (`http://[::1`)."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain.group(1).lower()
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
