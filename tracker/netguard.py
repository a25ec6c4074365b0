"""Which network addresses a paper's link may make the tracker contact.

A paper is text anyone can write; a link in it must not make the tracker probe
a lab's intranet or its own machine. One judgement serves every client that
contacts a host a paper named (git, the web client): an address is public when
`ipaddress` calls it global, seen through an IPv4-mapped IPv6 form, and not
multicast.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NonPublic:
    """An address that is not on the public internet, and what kind it is (for a person's message)."""

    address: str
    kind: str  # "a loopback", "a link-local", "a private", "a non-public"


def non_public_address(addresses: Iterable[str]) -> NonPublic | None:
    """The first of `addresses` that is not public, or None when all are."""
    for address in addresses:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        ip = mapped or ip
        if ip.is_global and not ip.is_multicast:
            continue
        kind = ("a loopback" if ip.is_loopback else "a link-local" if ip.is_link_local
                else "a private" if ip.is_private else "a non-public")
        return NonPublic(str(ip), kind)
    return None
