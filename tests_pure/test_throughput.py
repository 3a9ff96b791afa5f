"""The pluggable throttle and concurrent bulk reads of ProcountorClient."""

import threading
import time

from test_payments import _sales_invoice

from procountor_api import LocalThrottle, ProcountorError
from procountor_api.throttle import (
    ROUND_TRIPS_KEPT,
    ROUND_TRIPS_TRUSTED,
    SLOT_MARGIN,
    RoundTrips,
)


def _peak_per_second(times):
    """Most requests that arrived within any one sliding second."""
    times = sorted(times)
    return max(
        (
            sum(1 for t in times[index:] if t < start + 1.0)
            for index, start in enumerate(times)
        ),
        default=0,
    )


class RecordingThrottle:
    """A throttle that only counts, to see what the client asks of it."""

    def __init__(self):
        self.held = 0
        self.acquired = 0
        self.released = []

    def acquire(self):
        self.acquired += 1
        self.held += 1
        return self.acquired

    def release(self, slot):
        self.held -= 1
        self.released.append(slot)


def test_an_injected_throttle_holds_a_slot_for_every_exchange(make_client, calls):
    throttle = RecordingThrottle()
    held_when_reported = []
    client = make_client(
        throttle=throttle, on_call=lambda info: held_when_reported.append(throttle.held)
    )
    client.get_company()
    client.get_company()
    # The token request and two calls: each took a slot and gave it back
    # once answered (before it was reported).
    assert throttle.acquired == client.calls == 3
    assert throttle.released == [1, 2, 3]
    assert held_when_reported == [0, 0, 0]


def _run_in_threads(clients, calls_each):
    def work(client):
        for _ in range(calls_each):
            client.get_company()

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_clients_sharing_a_throttle_share_the_limit(make_client, sim):
    # Each client alone keeps to 20/s; together, each with its own count, they
    # do not: the simulator sees up to 40 in a second.
    sim.rate_limit = None
    own = [make_client(sleep=time.sleep, clock=time.monotonic) for _ in range(2)]
    _run_in_threads(own, 25)
    assert _peak_per_second([r["time"] for r in sim.requests]) > 20

    sim.reset()
    sim.rate_limit = 20
    shared = LocalThrottle(20)
    clients = [
        make_client(sleep=time.sleep, clock=time.monotonic, throttle=shared)
        for _ in range(2)
    ]
    _run_in_threads(clients, 25)
    statuses = [r["status"] for r in sim.requests]
    assert len(statuses) == 52 and statuses.count(429) == 0
    assert _peak_per_second([r["time"] for r in sim.requests]) <= 20


def test_batch_reads_keep_several_requests_in_flight(make_client, sim, calls):
    ids = [sim.create_invoice(_sales_invoice())["id"] for _ in range(601)]
    client = make_client(concurrency=4, sleep=time.sleep, clock=time.monotonic)
    client.get_token()
    calls.clear()
    # One latency is long against any scheduling delay of a loaded machine:
    # one chunk after another would take four seconds.
    sim.latency = 1.0
    reporters = []
    client.on_call = lambda info: (
        calls.append(info),
        reporters.append(threading.current_thread()),
    )
    started = time.monotonic()
    rows = client.get_batch("/invoices", ids)
    elapsed = time.monotonic() - started
    sim.latency = 0.0
    # Four chunks of at most 200 ids at once: about one latency, not four.
    assert elapsed < 3.0
    assert [row["id"] for row in rows] == ids
    assert len(calls) == 4 and {c["status"] for c in calls} == {200}
    assert set(reporters) == {threading.current_thread()}


def test_concurrent_payment_events_keep_the_order_and_the_errors(make_client, sim):
    invoices = [sim.create_invoice(_sales_invoice())["id"] for _ in range(450)]
    for invoice_id in invoices[::50]:
        sim.register_payment(invoice_id, 10.0)
    client = make_client(concurrency=3)
    rows = list(client.payment_events(invoices))
    assert [row["invoiceId"] for row in rows] == invoices[::50]
    assert sim.count("GET", "/payments/paymentevents") == 3


def test_call_pool_keeps_calls_in_flight_and_reports_on_the_callers_thread(
    make_client, sim, calls
):
    ids = [sim.create_invoice(_sales_invoice())["id"] for _ in range(4)]
    client = make_client(sleep=time.sleep, clock=time.monotonic)
    client.get_token()
    calls.clear()
    reporters = []
    client.on_call = lambda info: (
        calls.append(info),
        reporters.append(threading.current_thread()),
    )
    sim.latency = 0.3
    started = time.monotonic()
    with client.call_pool(4) as pool:
        futures = [pool.submit(client.get_invoices, [invoice_id]) for invoice_id in ids]
        futures.append(pool.submit(client.approve_invoice, 999999))  # no such invoice
        for future in futures:
            future.exception()
    elapsed = time.monotonic() - started
    sim.latency = 0.0
    # Five calls of 0.3 s through four threads: two latencies, not five.
    assert elapsed < 1.2
    assert calls == [], "nothing reported before the caller asks"
    for future in futures:
        pool.report(future)
    assert [f.result()[0]["id"] for f in futures[:4]] == ids
    assert isinstance(futures[4].exception(), ProcountorError)
    assert len(calls) == 5 and set(reporters) == {threading.current_thread()}
    pool.report(futures[0])
    assert len(calls) == 5, "each call is reported once"


def test_a_slot_frees_one_second_after_its_start_when_the_network_is_steady():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(round(seconds, 6))
        now[0] += seconds

    throttle = LocalThrottle(1, sleep=sleep, clock=lambda: now[0])
    # Until it has seen enough round trips, a slot lasts until one second
    # (and a margin) after its answer.
    for _ in range(ROUND_TRIPS_TRUSTED):
        slot = throttle.acquire()
        now[0] += 0.2
        throttle.release(slot)
    assert waits[-1] == 1.0 + SLOT_MARGIN
    # Then one second after its start: the budget no longer shrinks with
    # the latency of a steady network.
    slot = throttle.acquire()
    started = now[0]
    now[0] += 0.2
    throttle.release(slot)
    throttle.acquire()
    assert round(now[0] - started, 6) == 1.0 + SLOT_MARGIN
    # An answer 300 ms slower than the fastest may have reached the server
    # late: its slot lasts as much longer as it was slow.
    started = now[0]
    now[0] += 0.5
    throttle.release(throttle._slots[-1])
    throttle.acquire()
    assert round(now[0] - started, 6) == 1.3 + SLOT_MARGIN


def test_the_fastest_round_trip_is_that_of_the_network_as_it_is_now():
    trips = RoundTrips()
    trips.add(0.005)  # answered before the network got slower
    for _ in range(ROUND_TRIPS_TRUSTED - 2):
        trips.add(0.2)
    assert trips.fastest == 0.0  # not enough seen: hold slots past the answer
    trips.add(0.2)
    assert trips.fastest == 0.005
    for _ in range(ROUND_TRIPS_KEPT):
        trips.add(0.2)
    assert trips.fastest == 0.2
    assert trips.add(0.05) == 0.05  # faster again: at once
