"""DNS lookups for custom-domain verification, behind a small interface.

Domain code asks a `Resolver` for the CNAME or TXT records of a name and gets a typed `Lookup`
back: found (with the values), the name does not exist, it exists without such a record, DNS did
not answer in time, or DNS answered with an error. Nothing else about DNS leaks out of this module.

The one adapter speaks the real DNS protocol through dnspython. Which servers it asks is
configuration: `DNS_RESOLVER_NAMESERVERS` (comma-separated `host[:port]`, IPv6 as `[::1]:53`; empty:
the system's resolvers from /etc/resolv.conf) and `DNS_RESOLVER_TIMEOUT` (seconds for one lookup,
retries included). Tests point it at a local authoritative server (tests/tenants/dnsserver.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal, Protocol

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver
from django.conf import settings

RecordType = Literal["CNAME", "TXT"]


class LookupStatus(enum.StrEnum):
    FOUND = "found"  # at least one record of the type asked: see `values`
    NXDOMAIN = "nxdomain"  # the name does not exist
    NO_ANSWER = "no_answer"  # the name exists, without a record of this type
    TIMEOUT = "timeout"  # no server answered within the timeout
    ERROR = "error"  # a server answered with an error (SERVFAIL, REFUSED…): see `error`


@dataclass(frozen=True)
class Lookup:
    name: str  # as asked, lower case, no trailing dot
    record_type: RecordType
    status: LookupStatus
    # CNAME: the target host names (lower case, no trailing dot); TXT: each record's strings joined.
    values: tuple[str, ...] = field(default=())
    error: str = ""


class Resolver(Protocol):
    timeout: float

    def lookup(self, name: str, record_type: RecordType) -> Lookup: ...


def _host(name: str) -> str:
    return name.strip().lower().rstrip(".")


def parse_nameservers(value: str | list[str] | tuple[str, ...]) -> list[tuple[str, int]]:
    """`"10.0.0.2, 127.0.0.1:5353, [::1]:53"` → `[("10.0.0.2", 53), ("127.0.0.1", 5353), ("::1", 53)]`."""
    items = value.split(",") if isinstance(value, str) else list(value)
    servers: list[tuple[str, int]] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item.startswith("["):
            address, _, rest = item[1:].partition("]")
            port = rest.lstrip(":") or "53"
        elif item.count(":") == 1:
            address, port = item.split(":")
        else:
            address, port = item, "53"  # a bare IPv4 or IPv6 address
        servers.append((address, int(port)))
    return servers


class DnsPythonResolver:
    """Real DNS over UDP (TCP when an answer is truncated) through dnspython. No cache: each check
    asks again, so a record the operator just created is seen as soon as the servers have it."""

    def __init__(self, *, nameservers: list[tuple[str, int]] | None = None, timeout: float = 3.0) -> None:
        self.timeout = timeout
        self._resolver = dns.resolver.Resolver(configure=not nameservers)
        if nameservers:
            self._resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in nameservers]
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._resolver.cache = None

    def lookup(self, name: str, record_type: RecordType) -> Lookup:
        name = _host(name)
        try:
            answer = self._resolver.resolve(
                name, dns.rdatatype.from_text(record_type), search=False, raise_on_no_answer=False
            )
        except dns.resolver.NXDOMAIN:
            return Lookup(name, record_type, LookupStatus.NXDOMAIN)
        except dns.exception.Timeout:
            return Lookup(name, record_type, LookupStatus.TIMEOUT)
        except dns.resolver.NoNameservers as exc:
            return Lookup(name, record_type, LookupStatus.ERROR, error=_server_error(exc))
        except dns.exception.DNSException as exc:
            return Lookup(name, record_type, LookupStatus.ERROR, error=exc.__class__.__name__)
        rrset = answer.rrset
        if rrset is None or rrset.rdtype != dns.rdatatype.from_text(record_type):
            return Lookup(name, record_type, LookupStatus.NO_ANSWER)
        if record_type == "CNAME":
            values = tuple(_host(rdata.target.to_text()) for rdata in rrset)
        else:
            values = tuple(b"".join(rdata.strings).decode("utf-8", "replace") for rdata in rrset)
        return Lookup(name, record_type, LookupStatus.FOUND, values=values)


def _server_error(exc: dns.resolver.NoNameservers) -> str:
    """What the servers answered (an rcode such as "SERVFAIL", or why they could not be asked)."""
    for attempt in exc.kwargs.get("errors") or []:
        error = attempt[3]
        return error if isinstance(error, str) else error.__class__.__name__
    return "SERVFAIL"


def get_resolver() -> Resolver:
    """The resolver the settings describe (built per call: cheap, and settings may change in tests)."""
    return DnsPythonResolver(
        nameservers=parse_nameservers(settings.DNS_RESOLVER_NAMESERVERS) or None,
        timeout=float(settings.DNS_RESOLVER_TIMEOUT),
    )
