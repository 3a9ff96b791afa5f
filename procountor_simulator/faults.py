"""Fault injection and rate limiting.

Rules are matched on the request method and on an ``fnmatch`` glob over the path
relative to ``/api`` (``"/invoices/*/approve"``). Each matching request consumes one use
of the first matching rule of its kind, until the rule's count reaches 0.
"""

import collections
import fnmatch

FAULT_KINDS = ("fail", "delay", "drop", "lose")


class FaultRule:
    __slots__ = ("kind", "method", "path", "remaining", "params")

    def __init__(self, kind, method, path, count, params):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self.kind = kind
        self.method = method.upper() if method else None
        self.path = path or "*"
        self.remaining = count
        self.params = params

    def matches(self, method, path):
        return (
            self.method is None or self.method == method.upper()
        ) and fnmatch.fnmatchcase(path, self.path)

    def __repr__(self):
        return (
            f"FaultRule({self.kind}, {self.method or '*'} {self.path}, "
            f"remaining={self.remaining}, {self.params})"
        )


class FaultBook:
    """The pending fault rules. Not thread-safe on its own; the Simulator locks."""

    def __init__(self):
        self.rules = []

    def add(self, kind, method, path, count=1, **params):
        rule = FaultRule(kind, method, path, count, params)
        self.rules.append(rule)
        return rule

    def take(self, kind, method, path):
        """Consume one use of the first matching rule of ``kind``; return it or None."""
        for rule in self.rules:
            if rule.kind == kind and rule.matches(method, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    def clear(self):
        self.rules.clear()


class RateLimiter:
    """At most ``limit`` accepted requests per client in any sliding ``window`` seconds.

    Procountor documents 20 requests/second per API client (API_NOTES §3.8); what it
    answers beyond that is undocumented, so the simulator answers 429 + Retry-After.
    Rejected requests do not count, so a client that backs off gets through again.
    """

    def __init__(self, clock):
        self.clock = clock
        self.hits = collections.defaultdict(collections.deque)

    def allow(self, client_id, limit, window=1.0):
        now = self.clock()
        hits = self.hits[client_id]
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True

    def clear(self):
        self.hits.clear()
