"""Where webhooks may be sent: the allow-list (setting ``webhook_allowed_hosts``) of hostnames and networks.

A URL is checked when a subscription is created or changed, and again before every send, since what a name
resolves to can change: a host is allowed when it is listed by name (``localhost``, or ``*.example.gov.cn`` for
its subdomains), or when it is an address, or a name resolving only to addresses, inside a listed network.
"""

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.i18n import t

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_SECONDS = 5.0
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str]
    suffixes: tuple[str, ...]  # "*.example.org" → ".example.org"
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "AllowList":
        """The allow-list from the setting's entries; ValueError names an entry that is neither form."""
        names: set[str] = set()
        suffixes: list[str] = []
        networks: list[Network] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("*.") and _HOSTNAME.match(entry[2:]):
                suffixes.append(entry[1:])
            elif _HOSTNAME.match(entry):
                names.add(entry)
            else:
                raise ValueError(f"webhook_allowed_hosts: {raw!r} is neither a hostname nor a network")
        return cls(frozenset(names), tuple(suffixes), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host in self.names or any(host.endswith(suffix) for suffix in self.suffixes)

    def allows_address(self, address: Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == network.version and address in network for network in self.networks)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook URL at all (a reason for people), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return t("is not a valid URL")
    if parts.scheme not in ("http", "https"):
        return t("must be an http:// or https:// URL")
    if not parts.hostname:
        return t("must name a host")
    if parts.username is not None or parts.password is not None:
        return t("must not carry a user name or password (the signature authenticates the sender)")
    return None


async def refusal(url: str, allow: AllowList) -> str | None:
    """Why ``url`` may not receive webhooks under ``allow`` (a reason for people), or None; resolves the host."""
    problem = url_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if allow.allows_name(host):
        return None
    try:
        literal: Address | None = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        literal = None
    if literal is not None:
        addresses = {literal}
    else:
        try:
            infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
                host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM),
                RESOLVE_SECONDS)
        except (OSError, TimeoutError):
            return t("host {host} is not allowed (setting WEBHOOK_ALLOWED_HOSTS) and cannot be resolved", host=host)
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    refused = sorted(str(a) for a in addresses if not allow.allows_address(a))
    if refused:
        return t("host {host} ({addresses}) is outside the networks webhooks may be sent to (setting "
                 "WEBHOOK_ALLOWED_HOSTS)", host=host, addresses=", ".join(refused))
    return None
