"""Where the platform may send requests configured by its users: one rule for
model providers' base URLs (runner/llms/options.py) and webhook endpoints.

http(s) only, and never a link-local, unspecified or multicast address nor a
cloud metadata service's name: a configured URL must not turn the platform
into a client of the machine's metadata service (and hand it a key or an
execution's output). Loopback and private addresses stay allowed: a local
model server or receiver is a normal set-up.
"""
import ipaddress
from urllib.parse import urlsplit

METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})


def address_problem(address: str) -> str | None:
    """What is wrong with sending to this IP address, or None."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:169.254.169.254 is 169.254.169.254
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_unspecified or ip.is_multicast:
        return "a URL that is not a link-local, unspecified or multicast address (e.g. 169.254.169.254)"
    return None


def _host(value: str) -> str | None:
    """The URL's host when it is an http(s) URL with a valid port, else None."""
    # Spaces and control characters would only fail later, at every request.
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port  # each may raise: a bad IPv6 bracket, a bad port
    except ValueError:
        return None
    return host if parts.scheme in ("http", "https") else None


def outbound_url_problem(value) -> str | None:
    """What the URL must be instead ("an http:// or https:// URL", …), or None when it is fine."""
    if not isinstance(value, str):
        return "a URL"
    host = _host(value)
    if not host:
        return "an http:// or https:// URL"
    host = host.lower().rstrip(".")
    if host in METADATA_HOSTS:
        return "a URL that is not a cloud metadata service"
    return address_problem(host)
