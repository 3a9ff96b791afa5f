"""ProcountorClient: what an attacker or a stuck server could make it do.

Literal secrets echoed by Procountor never leave the client in an error or a
log line; plain http:// only to this machine; a deadline gives one attempt
and a short wait.
"""

import logging
import socket
import threading
import time

import pytest

from procountor_api import (
    ProcountorClient,
    ProcountorConnectionError,
    ProcountorTimeoutError,
    ProcountorTransientError,
    ProcountorValidationError,
)
from procountor_api.client import plain_http_refused
from procountor_api.redact import scrub


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers; counts them."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.accepted = []
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/api"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


def _secrets(credentials):
    return [credentials["client_secret"], credentials["api_key"]]


def test_scrub_blanks_literal_values_longest_first():
    assert scrub("key abcd1234 and abcd", ["abcd", "abcd1234"]) == "key *** and ***"
    assert scrub("short ab stays", ["ab"]) == "short ab stays"
    assert scrub(None, ["abcd"]) is None


def test_echoed_secret_is_not_in_a_validation_error(client, sim, credentials):
    echo = "value %s / %s is not valid" % tuple(_secrets(credentials))
    sim.fail_next(
        "POST",
        "/invoices",
        status=400,
        body={"errors": [{"status": 400, "field": "notes", "message": echo}]},
    )
    with pytest.raises(ProcountorValidationError) as info:
        client.create_invoice({"type": "SALES_INVOICE"})
    error = info.value
    texts = [str(error), error.sentence, error.message or "", repr(error.args)]
    for secret in _secrets(credentials):
        for text in texts:
            assert secret not in text
    assert "value *** / *** is not valid" in error.message


def test_echoed_secret_is_not_in_the_retry_log(make_client, sim, credentials, caplog):
    client = make_client()
    echo = "backend down for key %s" % credentials["api_key"]
    sim.fail_next(
        "GET",
        "/company",
        status=503,
        count=4,
        body={"errors": [{"status": 503, "message": echo}]},
    )
    with caplog.at_level(logging.DEBUG, logger="procountor_api"):
        with pytest.raises(ProcountorTransientError) as info:
            client.get_company()
    assert "retry 1/3" in caplog.text
    assert credentials["api_key"] not in caplog.text
    assert credentials["api_key"] not in str(info.value)


def test_echoed_token_is_not_in_an_error(client, sim, credentials):
    token = client.get_token()
    sim.fail_next(
        "GET",
        "/company",
        status=400,
        body={"errors": [{"status": 400, "message": "bad token " + token}]},
    )
    with pytest.raises(ProcountorValidationError) as info:
        client.get_company()
    assert token not in str(info.value)
    assert token not in info.value.sentence


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/api",
        "http://10.0.0.1/api",
        "http://127.0.0.1.example.com/api",
    ],
)
def test_plain_http_refused_to_other_hosts(url, credentials):
    assert plain_http_refused(url)
    with pytest.raises(ValueError, match="loopback"):
        ProcountorClient(url, "id", *_secrets(credentials))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8070/api",
        "http://localhost/api",
        "http://[::1]:8070/api",
        "http://127.3.4.5/api",
        "https://example.com/api",
    ],
)
def test_plain_http_allowed_to_loopback_and_https_anywhere(url):
    assert not plain_http_refused(url)


def test_deadline_makes_one_attempt_with_the_short_read_timeout(make_client, silent):
    client = make_client(base_url=silent.url, timeout=(2, 30), clock=time.monotonic)
    started = time.monotonic()
    with (
        client.deadline(10, read_timeout=0.5),
        pytest.raises(ProcountorTimeoutError) as info,
    ):
        client.get_company()
    elapsed = time.monotonic() - started
    assert len(silent.accepted) == 1
    assert elapsed < 3
    assert info.value.deadline == 1  # whole seconds waited, for the sentence


def test_without_deadline_the_retries_apply(make_client, silent):
    client = make_client(base_url=silent.url, timeout=(2, 0.2), clock=time.monotonic)
    with pytest.raises(ProcountorTimeoutError):
        client.get_company()
    assert len(silent.accepted) == 4


def test_passed_deadline_sends_nothing(make_client, sim, clock):
    client = make_client()
    with client.deadline(5):
        clock.advance(6)
        with pytest.raises(ProcountorTimeoutError) as info:
            client.get_company()
    assert info.value.deadline == 5
    assert sim.requests == []


def test_deadline_is_per_thread(make_client, sim, clock):
    client = make_client()
    outcome = {}

    def other_thread():
        outcome["company"] = client.get_company()

    with client.deadline(5):
        clock.advance(6)
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert outcome["company"]["name"]


def test_refused_connection_under_deadline_is_not_retried(make_client, calls):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}/api")
    with client.deadline(5), pytest.raises(ProcountorConnectionError):
        client.get_company()
    assert len(calls) == 1
