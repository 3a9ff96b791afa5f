"""ProcountorClient: token, retries, unknown outcomes, paging, throttling, redaction.

Behaviour is tested against the simulator; a scripted session stands in only
where the simulator cannot produce the situation (exact exception types,
TLS failures, odd answers).
"""

import datetime
import decimal
import email.utils
import json
import logging
import socket
import time
from unittest import mock

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from procountor_api import (
    ENVIRONMENT_URLS,
    ProcountorAuthError,
    ProcountorClient,
    ProcountorConnectionError,
    ProcountorForbiddenError,
    ProcountorTimeoutError,
    ProcountorTLSError,
    ProcountorTransientError,
    ProcountorUnknownOutcome,
    ProcountorValidationError,
)
from procountor_api.throttle import SLOT_MARGIN

CLIENT_SECRET = "client-secret-value-42"
API_KEY = "api-key-value-0815"


# ------------------------------------------------------------ scripted session


def _response(status=200, body=None, headers=None, content=None):
    response = requests.Response()
    response.status_code = status
    if content is None:
        content = b"" if body is None else json.dumps(body).encode()
    response._content = content
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    response.encoding = "utf-8"
    return response


def _token(expires_in=3600, token="tok-abcdefgh-123"):
    return _response(
        200, {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    )


class ScriptedSession:
    """Plays back responses/exceptions in order and records what was sent."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.sent = []

    def request(self, method, url, **kwargs):
        self.sent.append({"method": method, "url": url, **kwargs})
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def paths(self):
        return [f"{s['method']} {s['url'].split('/api', 1)[1]}" for s in self.sent]


@pytest.fixture
def scripted(clock, sleeper):
    """``scripted(*outcomes, **client_kwargs)`` -> (client, session, sleeper, infos)."""

    def build(*outcomes, **kwargs):
        session = ScriptedSession(*outcomes)
        infos = []
        defaults = {
            "session": session,
            "sleep": sleeper,
            "clock": clock,
            "random": lambda: 0.5,
            "on_call": infos.append,
        }
        client = ProcountorClient(
            "https://pts-api.procountor.com/api",
            "cid",
            CLIENT_SECRET,
            API_KEY,
            "https://example.com/cb",
            **{**defaults, **kwargs},
        )
        return client, session, sleeper, infos

    return build


def _refused():
    # What requests raises when nothing listens: the request was never sent.
    reason = NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"
    )
    return requests.exceptions.ConnectionError(
        MaxRetryError(None, "/api/invoices", reason)
    )


def _dropped():
    # The server closed the connection after receiving the request.
    reason = ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
    )
    return requests.exceptions.ConnectionError(reason)


def test_environment_urls():
    assert ENVIRONMENT_URLS == {
        "production": "https://api.procountor.com/api",
        "test": "https://pts-api.procountor.com/api",
    }


def test_backoff_grows_exponentially_with_jitter(scripted):
    client, _, sleep, _ = scripted(
        _token(),
        _response(503),
        _response(502),
        _response(504),
        _response(200, {"id": 1}),
        random=lambda: 0.0,
    )
    assert client.get("/company") == {"id": 1}
    # backoff * 2**n * (0.5 + random()) with random() == 0
    assert sleep.calls == [0.25, 0.5, 1.0]
    assert client.calls == 5


def test_backoff_is_capped(scripted):
    client, _, sleep, _ = scripted(
        _token(),
        *[_response(503)] * 5,
        _response(200, {}),
        random=lambda: 0.99,
        max_attempts=6,
        backoff=1.0,
        max_backoff=3.0,
    )
    client.get("/company")
    assert sleep.calls == pytest.approx([1.49, 2.98, 3.0, 3.0, 3.0])


def test_retry_after_http_date_is_honoured(scripted):
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    client, _, sleep, _ = scripted(
        _token(), _response(429, headers={"Retry-After": when}), _response(200, {})
    )
    client.get("/company")
    assert len(sleep.calls) == 1 and 3.5 < sleep.calls[0] <= 5.0


def test_retry_after_beyond_the_limit_gives_up_at_once(scripted):
    client, session, sleep, _ = scripted(
        _token(), _response(429, headers={"Retry-After": "3600"})
    )
    with pytest.raises(ProcountorTransientError) as info:
        client.get("/company")
    assert info.value.retry_after == 3600
    assert sleep.calls == [] and len(session.sent) == 2


def test_post_resent_when_the_connection_was_refused_before_sending(scripted):
    client, session, _, _ = scripted(_token(), _refused(), _response(200, {"id": 7}))
    assert client.create_invoice({"type": "SALES_INVOICE"}) == {"id": 7}
    assert session.paths() == ["POST /oauth/token", "POST /invoices", "POST /invoices"]


def test_post_resent_after_connect_timeout(scripted):
    client, session, _, _ = scripted(
        _token(),
        requests.exceptions.ConnectTimeout("connect timed out"),
        _response(200, {"id": 7}),
    )
    assert client.create_invoice({})["id"] == 7
    assert len(session.sent) == 3


@pytest.mark.parametrize(
    "failure",
    [
        _dropped(),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ChunkedEncodingError("incomplete read"),
    ],
)
def test_post_without_answer_is_an_unknown_outcome(scripted, failure):
    client, session, sleep, _ = scripted(_token(), failure)
    with pytest.raises(ProcountorUnknownOutcome) as info:
        client.create_invoice({})
    assert session.paths() == ["POST /oauth/token", "POST /invoices"]
    assert sleep.calls == []
    assert info.value.sentence == (
        "Procountor sent the request but its answer was lost; "
        "check in Procountor before retrying."
    )


def test_post_500_is_an_unknown_outcome(scripted):
    client, session, _, _ = scripted(
        _token(), _response(500, {"errors": [{"status": 500, "message": "INTERNAL"}]})
    )
    with pytest.raises(ProcountorUnknownOutcome) as info:
        client.create_invoice({})
    assert info.value.status == 500 and len(session.sent) == 2


def test_post_429_is_resent(scripted):
    # 429 is refused before handling, so resending cannot create a duplicate.
    client, session, sleep, _ = scripted(
        _token(),
        _response(429, headers={"Retry-After": "2"}),
        _response(200, {"id": 3}),
    )
    assert client.create_invoice({})["id"] == 3
    assert sleep.calls == [2.0]
    assert session.paths()[1:] == ["POST /invoices", "POST /invoices"]


def test_post_refused_every_time_is_a_connection_error_not_unknown(scripted):
    client, session, _, _ = scripted(_token(), *[_refused() for _ in range(4)])
    with pytest.raises(ProcountorConnectionError) as info:
        client.create_invoice({})
    assert len(session.sent) == 5
    assert info.value.sentence == (
        "Procountor could not be reached: pts-api.procountor.com did not answer."
    )


def test_get_timeouts_exhausted(scripted):
    client, session, sleep, _ = scripted(
        _token(),
        *[requests.exceptions.ReadTimeout("read timed out")] * 3,
        max_attempts=3,
    )
    with pytest.raises(ProcountorTimeoutError) as info:
        client.get("/invoices/1")
    assert info.value.sentence == "Procountor did not answer in time."
    assert len(session.sent) == 4 and len(sleep.calls) == 2


def test_put_is_retried_after_a_dropped_connection(scripted):
    # approve/send are safe to repeat: a repeat on the wrong status is answered 403.
    client, session, _, _ = scripted(
        _token(), _dropped(), _response(200, {"message": "ok"})
    )
    assert client.approve_invoice(5) == {"message": "ok"}
    assert session.paths()[1:] == ["PUT /invoices/5/approve", "PUT /invoices/5/approve"]


def test_tls_failure_is_not_retried(sleeper):
    session = mock.MagicMock()
    session.request.side_effect = requests.exceptions.SSLError(
        "certificate verify failed: self signed certificate"
    )
    client = ProcountorClient(
        "https://pts-api.procountor.com/api",
        "cid",
        CLIENT_SECRET,
        API_KEY,
        session=session,
        sleep=sleeper,
    )
    with pytest.raises(ProcountorTLSError) as info:
        client.get_company()
    assert session.request.call_count == 1
    assert session.request.call_args.kwargs["verify"] is True
    assert info.value.sentence == (
        "The secure connection to Procountor failed: "
        "the server certificate could not be verified."
    )


def test_non_json_success_on_a_create_is_an_unknown_outcome(scripted):
    client, _, _, _ = scripted(
        _token(),
        _response(
            200, content=b"<html>ok</html>", headers={"Content-Type": "text/html"}
        ),
    )
    with pytest.raises(ProcountorUnknownOutcome):
        client.create_invoice({})


def test_binary_answer_when_json_not_expected(scripted):
    client, _, _, infos = scripted(
        _token(),
        _response(
            200,
            content=b"%PDF-1.4 \x00\x01",
            headers={"Content-Type": "application/pdf"},
        ),
    )
    assert client.get("/attachments/4", expect_json=False) == b"%PDF-1.4 \x00\x01"
    assert infos[-1]["response_body"] == "<11 bytes application/pdf>"


def test_empty_answer_is_none(scripted):
    client, _, _, _ = scripted(_token(), _response(204))
    assert client.delete("/products/4") is None


def test_get_never_carries_a_body(scripted):
    client, session, _, _ = scripted(_token(), _response(200, {}))
    with pytest.raises(ValueError):
        client.request("GET", "/invoices", json={"a": 1})
    client.get("/invoices", params={"status": "SENT"})
    sent = session.sent[-1]
    assert sent["data"] is None and sent.get("json") is None and sent["files"] is None


def test_payload_values_from_odoo_are_serialized(scripted):
    client, session, _, _ = scripted(_token(), _response(200, {"id": 1}))
    client.create_invoice(
        {"date": datetime.date(2025, 1, 31), "unitPrice": decimal.Decimal("12.50")}
    )
    sent = session.sent[-1]
    assert json.loads(sent["data"]) == {"date": "2025-01-31", "unitPrice": 12.5}
    assert sent["headers"]["Content-Type"] == "application/json"


def test_failing_hook_does_not_break_the_call(scripted, caplog):
    def hook(info):
        raise RuntimeError("hook bug")

    client, _, _, _ = scripted(_token(), _response(200, {"id": 1}), on_call=hook)
    with caplog.at_level(logging.ERROR, logger="procountor_api.client"):
        assert client.get_company() == {"id": 1}
    assert "on_call hook failed" in caplog.text


def test_token_endpoint_gets_a_form_body_and_no_bearer(scripted):
    client, session, _, infos = scripted(_token(), _response(200, {}))
    client.get_company()
    token_call = session.sent[0]
    assert token_call["method"] == "POST" and token_call["url"].endswith(
        "/api/oauth/token"
    )
    assert token_call["params"] is None
    assert token_call["data"] == {
        "grant_type": "client_credentials",
        "client_id": "cid",
        "client_secret": CLIENT_SECRET,
        "api_key": API_KEY,
        "redirect_uri": "https://example.com/cb",
    }
    assert "Authorization" not in token_call["headers"]
    assert session.sent[1]["headers"]["Authorization"] == "Bearer tok-abcdefgh-123"
    assert CLIENT_SECRET not in infos[0]["request_body"]
    assert "client_id=cid" in infos[0]["request_body"]
    assert "tok-abcdefgh-123" not in infos[0]["response_body"]


# ------------------------------------------------------------- against the simulator


def _invoice_payload(client, number="INV/2025/0001"):
    iban = next(
        a["iban"] for a in client.get_bank_accounts() if a.get("defaultForInvoice")
    )
    today = datetime.date.today()
    return {
        "type": "SALES_INVOICE",
        "status": "UNFINISHED",
        "date": today,
        "counterParty": {"counterPartyAddress": {"name": "Buyer Oy"}},
        "paymentInfo": {
            "paymentMethod": "BANK_TRANSFER",
            "currency": "EUR",
            "bankAccount": {"accountNumber": iban},
            "dueDate": today + datetime.timedelta(days=14),
            "currencyRate": 1,
        },
        "extraInfo": {"accountingByRow": False, "unitPricesIncludeVat": False},
        "discountPercent": 0,
        "originalInvoiceNumber": number,
        "invoiceRows": [
            {
                "product": "Coffee cup",
                "quantity": 2,
                "unit": "PIECE",
                "unitPrice": 3.5,
                "discountPercent": 0,
                "vatPercent": 25.5,
            }
        ],
        "vatStatus": 1,
        "invoiceChannel": "NO_SENDING",
        "language": "FINNISH",
    }


def test_one_token_for_many_calls(client, sim):
    for _ in range(10):
        client.get_company()
    assert sim.token_requests == 1 and client.token_requests == 1
    assert sim.count("GET", "/company") == 10
    assert client.calls == 11


def test_token_renewed_a_minute_before_expiry(client, sim, clock):
    client.get_company()
    clock.advance(3600 - 60 - 1)
    client.get_company()
    assert sim.token_requests == 1
    clock.advance(2)
    client.get_company()
    assert sim.token_requests == 2
    assert [r["status"] for r in sim.requests] == [200] * 5


def test_401_gets_one_new_token_then_succeeds(client, sim):
    client.get_company()
    sim.expire_tokens()
    assert client.get_company()["name"]
    assert sim.token_requests == 2
    assert [(r["method"], r["path"], r["status"]) for r in sim.requests][2:] == [
        ("GET", "/company", 401),
        ("POST", "/oauth/token", 200),
        ("GET", "/company", 200),
    ]


def test_second_401_is_an_auth_error(client, sim):
    sim.fail_next("GET", "/company", status=401, count=2)
    with pytest.raises(ProcountorAuthError) as info:
        client.get_company()
    assert sim.count("GET", "/company") == 2 and sim.token_requests == 2
    assert info.value.status == 401


def test_bad_credentials(make_client, sim, credentials):
    client = make_client(credentials={"client_secret": "wrong-secret-123"})
    with pytest.raises(ProcountorAuthError) as info:
        client.get_company()
    exc = info.value
    assert (
        exc.sentence == "Procountor rejected the client ID, client secret or API key."
    )
    assert exc.status == 401 and exc.message  # the OAuth error_description
    assert sim.token_requests == 1 and sim.count("GET", "/company") == 0
    assert "wrong-secret-123" not in str(exc)
    form = sim.requests[0]["form"]
    assert form["grant_type"] == "client_credentials"
    assert form["redirect_uri"] == credentials["redirect_uri"]
    assert sim.requests[0]["query"] == {}


def test_429_honours_retry_after(client, sim, sleeper):
    sim.fail_next("GET", "/company", status=429, retry_after=3)
    assert client.get_company()["name"]
    assert sleeper.calls == [3.0]
    assert sim.count("GET", "/company") == 2


def test_503_backs_off_then_succeeds(client, sim, sleeper):
    sim.fail_next("GET", "/company", status=503, count=2)
    assert client.get_company()["name"]
    assert sleeper.calls == [0.5, 1.0]


def test_retries_exhausted(make_client, sim, sleeper):
    client = make_client(max_attempts=3)
    sim.fail_next("GET", "/company", status=503, count=5)
    with pytest.raises(ProcountorTransientError) as info:
        client.get_company()
    assert sim.count("GET", "/company") == 3
    assert info.value.status == 503 and len(sleeper.calls) == 2
    assert (
        info.value.sentence == "Procountor is temporarily unavailable; try again later."
    )


def test_post_invoice_503_is_an_unknown_outcome_sent_once(client, sim, sleeper):
    payload = _invoice_payload(client)
    sim.fail_next("POST", "/invoices", status=503)
    with pytest.raises(ProcountorUnknownOutcome):
        client.create_invoice(payload)
    assert sim.count("POST", "/invoices") == 1
    assert sleeper.calls == []


def test_lost_answer_to_a_create_is_an_unknown_outcome(client, sim):
    payload = _invoice_payload(client, "INV/2025/0042")
    sim.lose_response_next("POST", "/invoices")
    with pytest.raises(ProcountorUnknownOutcome):
        client.create_invoice(payload)
    assert sim.count("POST", "/invoices") == 1
    assert len(sim.invoices(originalInvoiceNumber="INV/2025/0042")) == 1
    # What the caller does next: look it up instead of posting again.
    found = list(client.search_invoices(originalInvoiceNumber="INV/2025/0042"))
    assert [row["originalInvoiceNumber"] for row in found] == ["INV/2025/0042"]


def test_create_approve_send(client, sim):
    invoice = client.create_invoice(_invoice_payload(client))
    client.approve_invoice(invoice["id"])
    client.send_invoice(invoice["id"])
    assert sim.invoices(id=invoice["id"])[0]["status"] == "SENT"
    assert [r["json"] for r in sim.requests if r["path"].endswith("/approve")] == [{}]


def test_approving_twice_is_forbidden(client, sim):
    invoice = client.create_invoice(_invoice_payload(client))
    with pytest.raises(ProcountorForbiddenError):
        client.send_invoice(invoice["id"])
    client.approve_invoice(invoice["id"])
    with pytest.raises(ProcountorForbiddenError) as info:
        client.approve_invoice(invoice["id"])
    assert info.value.status == 403
    assert sim.count("PUT", "/invoices/*/approve") == 2


def test_dropped_get_is_retried(client, sim):
    client.get_company()
    sim.drop_next("GET", "/company")
    assert client.get_company()["name"]
    assert sim.count("GET", "/company") == 3


def test_read_timeout_on_get_is_retried(make_client, sim):
    client = make_client(timeout=(1, 0.3))
    client.get_company()
    sim.delay_next("GET", "/company", 1.0)
    assert client.get_company()["name"]
    assert sim.count("GET", "/company") == 3
    assert client.calls == 4


def test_validation_error_from_the_simulator(client, sim):
    payload = _invoice_payload(client)
    payload["invoiceRows"][0]["vatPercent"] = 99
    with pytest.raises(ProcountorValidationError) as info:
        client.create_invoice(payload)
    exc = info.value
    assert (exc.status, exc.field) == (400, "invoiceRows[0].vatPercent")
    assert exc.message
    assert (
        exc.sentence == f"Procountor rejected invoiceRows[0].vatPercent: {exc.message}."
    )
    assert "POST /invoices" in str(exc)


def test_paging_over_several_pages(client, sim):
    sim.seed_customers(450)
    total = len(sim.partners(type="CUSTOMER"))
    rows = list(
        client.paginate("/businesspartners", params={"type": "CUSTOMER"}, size=100)
    )
    assert len(rows) == total and len({row["id"] for row in rows}) == total
    assert sim.count("GET", "/businesspartners") == -(-total // 100)
    assert {
        r["query"]["size"] for r in sim.requests if r["path"] == "/businesspartners"
    } == {"100"}


def test_paging_stops_on_total_count_when_the_last_page_is_full(client, sim):
    total = len(sim.partners())
    list(client.paginate("/businesspartners", size=total))
    assert sim.count("GET", "/businesspartners") == 1


def test_page_size_is_capped_at_200(client, sim):
    list(client.paginate("/businesspartners", size=1000))
    assert sim.requests[-1]["query"]["size"] == "200"


def test_get_batch_chunks_by_200(client, sim):
    ids = [partner["id"] for partner in sim.seed_customers(450)]
    partners = client.get_batch("/businesspartners", ids)
    assert sorted(p["id"] for p in partners) == sorted(ids)
    assert sim.count("GET", "/businesspartners/*") == 3


def test_get_batch_single_object_and_missing_chunks(client, sim):
    one = sim.partners()[0]["id"]
    assert [p["id"] for p in client.get_batch("/businesspartners", [one])] == [one]
    assert client.get_batch("/businesspartners", [999999991, 999999992]) == []
    assert client.get_batch("/businesspartners", []) == []


def test_search_partners_by_header(client, sim):
    sim.add_partner("Äänekosken Öljy Oy", identifier="1234567-8")
    sim.add_partner("Łódź Trading", identifier="2345678-9")
    rows = list(client.search_business_partners(name="äänekosken"))
    assert [row["name"] for row in rows] == ["Äänekosken Öljy Oy"]
    assert [row["name"] for row in client.search_business_partners(name="Łódź")] == [
        "Łódź Trading"
    ]
    assert [
        row["name"] for row in client.search_business_partners(identifier="1234567-8")
    ] == ["Äänekosken Öljy Oy"]
    last = sim.requests[-1]
    assert "identifier" not in last["query"] and "name" not in last["query"]


def test_products_keyset_paging(client, sim):
    sim.seed_products(250)
    total = len(sim.products(type="SALES")) + len(sim.products(type="PURCHASE"))
    rows = list(client.paginate_keyset("/products", size=100))
    assert len(rows) == total and len({row["id"] for row in rows}) == total
    assert sim.count("GET", "/products") == total // 100 + 1
    assert all(
        "page" not in r["query"] for r in sim.requests if r["path"] == "/products"
    )


def test_payment_events_in_chunks(client, sim):
    invoice = client.create_invoice(_invoice_payload(client))
    client.approve_invoice(invoice["id"])
    sim.register_payment(invoice["id"], 2.0)
    ids = list(range(1, 250)) + [invoice["id"]]
    events = list(client.payment_events(ids))
    assert [e["invoiceId"] for e in events] == [invoice["id"]]
    queries = [
        r["query"] for r in sim.requests if r["path"] == "/payments/paymentevents"
    ]
    assert [len(q["invoiceId"].split(",")) for q in queries] == [200, 50]


def test_upload_and_download_attachment(client, sim):
    invoice = client.create_invoice(_invoice_payload(client))
    meta = {
        "name": "INV_2025_0001.pdf",
        "referenceType": "INVOICE",
        "referenceId": invoice["id"],
        "sendWithInvoice": True,
    }
    created = client.upload_attachment(meta, "INV_2025_0001.pdf", b"%PDF-1.4 test")
    stored = sim.attachments(id=created["id"])[0]
    assert (
        stored["content"] == b"%PDF-1.4 test" and stored["referenceId"] == invoice["id"]
    )
    raw = client.get(f"/attachments/{created['id']}", expect_json=False)
    assert isinstance(raw, bytes) and b"%PDF-1.4 test" in raw


def test_download_attachment_keeps_binary_content(client, sim):
    invoice = client.create_invoice(_invoice_payload(client))
    content = (
        bytes(range(256)) + b"\r\n\r\n--not-a-boundary\r\n" + bytes(range(255, -1, -1))
    )
    created = client.upload_attachment(
        {
            "name": "scan.pdf",
            "referenceType": "INVOICE",
            "referenceId": invoice["id"],
            "sendWithInvoice": False,
        },
        "scan.pdf",
        content,
    )
    meta, downloaded = client.download_attachment(created["id"])
    assert downloaded == content
    assert meta["name"] == "scan.pdf" and meta["id"] == created["id"]


def test_on_call_bodies_hold_no_secret(client, sim, calls, credentials):
    client.get_company()
    sim.expire_tokens()
    client.get_company()
    sim.fail_next("GET", "/company", status=503)
    client.get_company()
    client.create_invoice(_invoice_payload(client))
    token = client.get_token()
    dump = json.dumps(calls)
    for secret in (credentials["client_secret"], credentials["api_key"], token):
        assert secret not in dump
    token_calls = [c for c in calls if c["path"] == "/oauth/token"]
    assert len(token_calls) == 2
    assert "client_secret=***" in token_calls[0]["request_body"]
    assert f"client_id={credentials['client_id']}" in token_calls[0]["request_body"]
    assert '"access_token": "***"' in token_calls[0]["response_body"]
    first = calls[1]
    assert set(first) == {
        "method",
        "url",
        "path",
        "status",
        "duration_ms",
        "request_body",
        "response_body",
        "error",
        "attempt",
    }
    assert (first["method"], first["path"], first["status"], first["attempt"]) == (
        "GET",
        "/company",
        200,
        1,
    )
    assert first["url"] == client.base_url + "/company"
    retried = [c for c in calls if c["status"] == 503][0]
    assert retried["error"] and retried["attempt"] == 1
    assert calls[calls.index(retried) + 1]["attempt"] == 2


def test_throttle_with_fake_clock(make_client, sim, sleeper, clock):
    starts = []
    client = make_client(on_call=lambda info: starts.append(clock()))
    for _ in range(45):
        client.get_company()
    assert len(starts) == 46  # one token request + 45 calls
    for index, start in enumerate(starts):
        in_window = [s for s in starts[index:] if s < start + 1.0]
        assert len(in_window) <= 20
    # Each slot lasts one second and the margin for a late thread.
    assert sleeper.calls == [pytest.approx(1.0 + SLOT_MARGIN)] * 2


def test_throttle_keeps_the_real_simulator_happy(make_client, sim):
    sim.rate_limit = 20
    client = make_client(sleep=time.sleep, clock=time.monotonic)
    started = time.monotonic()
    for _ in range(25):
        client.get_company()
    assert time.monotonic() - started >= 1.0
    assert [r["status"] for r in sim.requests].count(429) == 0


def test_connection_refused(make_client, sleeper, calls):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}/api", max_attempts=3)
    with pytest.raises(ProcountorConnectionError) as info:
        client.get_company()
    assert (
        info.value.sentence
        == "Procountor could not be reached: 127.0.0.1 did not answer."
    )
    assert client.calls == 3 and len(sleeper.calls) == 2
    assert [c["attempt"] for c in calls] == [1, 2, 3]
    assert calls[-1]["status"] is None and calls[-1]["error"].startswith(
        "ConnectionError"
    )


def test_verify_and_timeout_on_every_request(make_client, sim):
    sent = []

    class SpySession(requests.Session):
        def request(self, method, url, **kwargs):
            sent.append(kwargs)
            return super().request(method, url, **kwargs)

    client = make_client(session=SpySession(), timeout=(2, 7))
    sim.fail_next("GET", "/company", status=503)
    client.get_company()
    client.create_invoice(_invoice_payload(client))
    list(client.paginate("/businesspartners"))
    assert len(sent) == client.calls >= 6
    assert all(kw["verify"] is True and kw["timeout"] == (2, 7) for kw in sent)


def test_token_endpoint_400_is_an_auth_error(scripted):
    client, session, sleep, _ = scripted(
        _response(
            400, {"error": "invalid_request", "error_description": "api_key is missing"}
        )
    )
    with pytest.raises(ProcountorAuthError) as info:
        client.get_company()
    assert info.value.message == "api_key is missing"
    assert len(session.sent) == 1 and sleep.calls == []


def test_create_with_an_expired_token_creates_once(client, sim):
    payload = _invoice_payload(client, "INV/2025/0007")
    sim.expire_tokens()
    client.create_invoice(payload)
    assert len(sim.invoices(originalInvoiceNumber="INV/2025/0007")) == 1
    assert [r["status"] for r in sim.requests if r["method"] == "POST"] == [
        200,
        401,
        200,
        200,
    ]


def test_logs_hold_no_secret(make_client, sim, caplog, credentials):
    caplog.set_level(logging.DEBUG, logger="procountor_api")
    client = make_client()
    client.get_company()
    sim.expire_tokens()
    sim.fail_next("GET", "/company", status=503)
    client.get_company()
    token = client.get_token()
    bad = make_client(credentials={"api_key": "wrong-api-key-77"})
    with pytest.raises(ProcountorAuthError):
        bad.get_company()
    assert caplog.records
    for secret in (
        credentials["client_secret"],
        credentials["api_key"],
        token,
        "wrong-api-key-77",
    ):
        assert secret not in caplog.text
