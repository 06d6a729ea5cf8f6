"""The client's address, for login lockout (django-axes' AXES_CLIENT_IP_CALLABLE).

Directly on the internet the client is REMOTE_ADDR. Behind PROXY_COUNT reverse proxies,
REMOTE_ADDR is the innermost proxy, and each proxy appends to X-Forwarded-For the address
it received the request from. So the outermost proxy wrote the PROXY_COUNT-th entry from
the right, which is the client as that proxy saw it; anything to its left came from the
client itself and cannot be trusted. (axes would ask django-ipware, which is not installed;
this is the one rule we need, written down.)
"""

import ipaddress

from django.conf import settings


def client_ip_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote  # not through every proxy we were told about
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote  # a proxy that writes something else than an address
