"""A small authoritative DNS server for tests, speaking the real protocol on 127.0.0.1 (UDP and TCP
on the same free port), answering from a dict the test changes as it goes:

    server = LocalDnsServer().start()
    server.records["_mkt-verify.market.example.edu"] = {"TXT": ["mkt-verify-…"]}
    server.records["market.example.edu"] = {"CNAME": ["alpha.localhost"]}
    server.silent = True          # stops answering: lookups time out
    server.stop()

A name absent from `records` (and with no name below it) is NXDOMAIN; a name present without the type
asked answers NOERROR with no records. A CNAME answers every type for its name, as DNS does.
Each query is remembered in `queries` as (name, type).
"""

from __future__ import annotations

import threading

from dnslib import QTYPE, RCODE, RR, DNSError, DNSLabel
from dnslib.server import BaseResolver, DNSLogger, DNSServer


def _name(label) -> str:
    return str(label).lower().rstrip(".")


class DictResolver(BaseResolver):
    def __init__(self, owner: LocalDnsServer) -> None:
        self.owner = owner

    def resolve(self, request, handler):
        if self.owner.silent:
            raise DNSError("not answering")  # dnslib's handler logs it and sends nothing back
        name, qtype = _name(request.q.qname), QTYPE[request.q.qtype]
        self.owner.queries.append((name, qtype))
        reply = request.reply()
        with self.owner.lock:
            records = {key.lower().rstrip("."): dict(value) for key, value in self.owner.records.items()}
        if name not in records and not any(other.endswith(f".{name}") for other in records):
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        entry = records.get(name, {})
        answer_type = qtype if qtype in entry else ("CNAME" if "CNAME" in entry else None)
        for value in entry.get(answer_type, []) if answer_type else []:
            if answer_type == "TXT":
                text = value.replace("\\", "\\\\").replace('"', '\\"')
                reply.add_answer(*RR.fromZone(f'{name}. 60 IN TXT "{text}"'))
            else:
                reply.add_answer(*RR.fromZone(f"{name}. 60 IN {answer_type} {DNSLabel(value)}"))
        return reply


class _Quiet(DNSLogger):
    def __init__(self) -> None:
        super().__init__(log="-request,-reply,-truncated,-error", prefix=False)


class LocalDnsServer:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, list[str]]] = {}
        self.queries: list[tuple[str, str]] = []
        self.silent = False
        self.lock = threading.Lock()
        self.port = 0
        self._servers: list[DNSServer] = []

    @property
    def address(self) -> str:
        """For DNS_RESOLVER_NAMESERVERS."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> LocalDnsServer:
        resolver = DictResolver(self)
        for _attempt in range(20):
            udp = DNSServer(resolver, port=0, address="127.0.0.1", logger=_Quiet())
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=True, logger=_Quiet())
            except OSError:  # the TCP port is taken: try another pair
                udp.server.server_close()
                continue
            self.port, self._servers = port, [udp, tcp]
            for server in self._servers:
                server.start_thread()
            return self
        raise RuntimeError("no free port for the local DNS server")

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
            server.server.server_close()
        self._servers = []

    def reset(self) -> None:
        with self.lock:
            self.records.clear()
        self.queries.clear()
        self.silent = False


def ask(port: int, name: str, qtype: str = "A", *, tcp: bool = False) -> bytes:
    """A raw query (for checking the server itself)."""
    from dnslib import DNSRecord

    return DNSRecord.question(name, qtype).send("127.0.0.1", port, tcp=tcp, timeout=2)
