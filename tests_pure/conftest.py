"""Shared fixtures: the simulator on 127.0.0.1, a fake clock and sleep, a client
factory."""

import pytest

from procountor_api import ProcountorClient


class FakeClock:
    """A monotonic clock that only moves when told to (or when FakeSleep sleeps)."""

    def __init__(self, start=1000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class FakeSleep:
    """Records every requested pause and moves the fake clock instead of waiting."""

    def __init__(self, clock):
        self.clock = clock
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture(scope="session")
def _simulator():
    """One simulator and HTTP server for the whole session, on a free loopback port."""
    from procountor_simulator import Simulator, SimulatorServer

    simulator = Simulator()
    srv = SimulatorServer(simulator, host="127.0.0.1", port=0)
    srv.start()
    yield simulator, srv
    srv.stop()


@pytest.fixture
def server(_simulator):
    return _simulator[1]


@pytest.fixture
def sim(_simulator):
    """The simulator, reset before each test (it keeps state across tests otherwise)."""
    simulator = _simulator[0]
    simulator.reset()
    return simulator


@pytest.fixture
def credentials():
    from procountor_simulator import DEFAULT_CREDENTIALS

    return dict(DEFAULT_CREDENTIALS)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sleeper(clock):
    return FakeSleep(clock)


@pytest.fixture
def calls():
    """Every ``on_call`` info dict of clients built by ``make_client``."""
    return []


@pytest.fixture
def make_client(sim, server, credentials, clock, sleeper, calls):
    """Build a client on the simulator; keyword arguments override the defaults."""

    def make(**overrides):
        kwargs = {
            "sleep": sleeper,
            "clock": clock,
            # A jitter factor of exactly 1.0 keeps the pauses predictable.
            "random": lambda: 0.5,
            "on_call": calls.append,
            **overrides,
        }
        creds = {**credentials, **kwargs.pop("credentials", {})}
        base_url = kwargs.pop("base_url", server.base_url)
        return ProcountorClient(
            base_url,
            creds["client_id"],
            creds["client_secret"],
            creds["api_key"],
            creds.get("redirect_uri", ""),
            **kwargs,
        )

    return make


@pytest.fixture
def client(make_client):
    return make_client()
