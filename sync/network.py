"""Which hosts a live source may connect to.

A workspace admin types a source's host. Without this check, the server would connect wherever it
is told: to 127.0.0.1:5432, to the cloud's metadata address 169.254.169.254, to a machine on the
office network. So a source's host must resolve only to public addresses, unless
`settings.SYNC_ALLOW_PRIVATE_HOSTS` is on (a self-hosted server on the same network, and the
tests' local IMAP and CardDAV servers).

Every address the name resolves to is checked, not the first: a name with one public and one
private address is refused. A name that resolves differently at connect time (DNS rebinding)
is not covered here; a deployment that fears it runs the workers behind an egress firewall.
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings
from django.utils.translation import gettext as _


class PrivateHostRefused(ValueError):
    """The host is, or resolves to, an address the server must not reach for a workspace."""


class HostNotFound(ValueError):
    """The host name does not resolve."""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def ensure_public_host(host: str) -> list[Address]:
    """The host's addresses, all public; or PrivateHostRefused, or HostNotFound.

    With SYNC_ALLOW_PRIVATE_HOSTS on, any address that resolves is allowed.
    """
    host = (host or "").strip().strip("[]")
    if not host:
        raise HostNotFound(_("No host given."))
    addresses = _resolve(host)
    if settings.SYNC_ALLOW_PRIVATE_HOSTS:
        return addresses
    for address in addresses:
        if not is_public(address):
            raise PrivateHostRefused(
                _(
                    "%(host)s is a private, loopback or link-local address (%(address)s); "
                    "a source must be on the public internet."
                )
                % {"host": host, "address": address}
            )
    return addresses


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _resolve(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise HostNotFound(_("Host %(host)s not found.") % {"host": host}) from error
    addresses: list[Address] = []
    for *_ignored, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses
