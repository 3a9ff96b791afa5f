"""Procountor's budget of requests per second, counted in one process.

Procountor documents 20 requests/second per API client (API_NOTES §3.8). A
throttle is any object with ``acquire()`` and ``release(slot)``; the Odoo
side shares one through the database, this module holds the rules of a slot
and the count of one process. It knows nothing of Odoo.
"""

import threading
import time
from collections import deque

# Round trips a throttle counts before it trusts the fastest of them: the
# first ones include connecting and are no measure of the network.
ROUND_TRIPS_TRUSTED = 20
# The fastest is that of the latest round trips only, so that it follows the
# network as it is now rather than at its best moment.
ROUND_TRIPS_KEPT = 100
# Added to every slot, for a thread that got to run late on a busy machine.
SLOT_MARGIN = 0.02


class RoundTrips:
    """The fastest of a throttle's latest round trips, in seconds; 0 (every
    answer as slow as it was) until it has seen enough to know."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = 0
        self._latest = deque(maxlen=ROUND_TRIPS_KEPT)

    @property
    def fastest(self):
        with self._lock:
            if self._seen < ROUND_TRIPS_TRUSTED:
                return 0.0
            return min(self._latest)

    def add(self, seconds):
        """Count one round trip; return the fastest to reckon with."""
        with self._lock:
            self._seen += 1
            self._latest.append(max(0.0, seconds))
        return self.fastest


def slot_end(started, answered, fastest):
    """When the slot of a request started at ``started`` and answered at
    ``answered`` frees: one second after its start, plus how much longer
    its round trip took than the ``fastest`` (see :class:`LocalThrottle`)."""
    return started + 1.0 + SLOT_MARGIN + max(0.0, (answered - started) - fastest)


class LocalThrottle:
    """At most ``rate_limit`` requests in any sliding second, counted in this
    process (all threads of it).

    Procountor documents 20 requests/second per API client and may suspend
    a client that exceeds it (API_NOTES §3.8). The server counts a request
    when it arrives, somewhere between our start and its answer, so a slot
    is held for one second from the start of its request plus however much
    longer its round trip took than the fastest one seen (:func:`slot_end`).
    With every request taking each way at least half the fastest round trip,
    the server then sees at most ``rate_limit`` in any of its seconds; on a
    steady network (every round trip alike) a slot lasts one second from its
    start and the budget is used whatever the latency, while a slow answer
    keeps its slot for as much longer as it was slow.

    A throttle is any object with ``acquire()`` (wait until a request may
    start; return its slot) and ``release(slot)`` (the answer came, or the
    request failed). Processes that share one API client need a throttle
    they share too; this one is the fallback when there is none.
    """

    def __init__(self, rate_limit=20, *, sleep=time.sleep, clock=time.monotonic):
        self.rate_limit = rate_limit
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._slots = []
        self.round_trips = RoundTrips()

    def acquire(self):
        with self._lock:
            while True:
                now = self._clock()
                self._slots = [
                    slot
                    for slot in self._slots
                    if slot[0] is None or now - slot[0] < 1.0
                ]
                if len(self._slots) < self.rate_limit:
                    break
                finished = [slot for slot in self._slots if slot[0] is not None]
                if not finished:
                    # Only requests of other threads in flight: wait for one to end.
                    self._sleep(0.05)
                    continue
                oldest = min(finished, key=lambda slot: slot[0])
                self._sleep(max(0.0, 1.0 - (now - oldest[0])))
                # Trust the sleep even when the clock did not move (frozen test clocks).
                self._slots.remove(oldest)
            slot = [None, self._clock()]
            self._slots.append(slot)
            return slot

    def release(self, slot):
        now = self._clock()
        slot[0] = slot_end(slot[1], now, self.round_trips.add(now - slot[1])) - 1.0
