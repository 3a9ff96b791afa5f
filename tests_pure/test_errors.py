"""Error parsing and the sentences users read."""

import pickle

import pytest

from procountor_api import (
    ProcountorAuthError,
    ProcountorConnectionError,
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorNotFoundError,
    ProcountorTimeoutError,
    ProcountorTLSError,
    ProcountorTransientError,
    ProcountorUnknownOutcome,
    ProcountorValidationError,
)
from procountor_api.errors import parse_errors


def test_parse_current_shape_keeps_all_errors():
    body = {
        "errors": [
            {
                "status": 400,
                "field": "invoiceRows[0].vatPercent",
                "message": "INVALID_VAT_PERCENT",
            },
            {"status": 400, "message": "DUE_DATE_BEFORE_BILL_DATE"},
        ]
    }
    assert parse_errors(body, 400) == [
        {
            "status": 400,
            "field": "invoiceRows[0].vatPercent",
            "message": "INVALID_VAT_PERCENT",
        },
        {"status": 400, "field": None, "message": "DUE_DATE_BEFORE_BILL_DATE"},
    ]


def test_parse_legacy_constraint_violations():
    body = {
        "constraintViolations": [{"errorCode": "ERROR_BRN_CODE", "field": "identifier"}]
    }
    assert parse_errors(body, 400) == [
        {"status": 400, "field": "identifier", "message": "ERROR_BRN_CODE"}
    ]


def test_parse_oauth_shape():
    body = {"error": "invalid_client", "error_description": "Bad client credentials"}
    assert parse_errors(body, 401) == [
        {"status": 401, "field": None, "message": "Bad client credentials"}
    ]
    assert (
        parse_errors({"error": "invalid_grant"}, 400)[0]["message"] == "invalid_grant"
    )


@pytest.mark.parametrize(
    "body", [None, "", "<html>Bad gateway</html>", {}, {"foo": 1}, 42]
)
def test_parse_unknown_shapes_give_nothing(body):
    assert parse_errors(body, 502) == []


def test_field_and_message_come_from_the_first_error():
    exc = ProcountorValidationError(
        status=400,
        errors=[
            {"status": 400, "field": "counterParty.email", "message": "INVALID_EMAIL"},
            {"status": 400, "field": "language", "message": "NOT_NULL"},
        ],
        method="POST",
        path="/invoices",
    )
    assert (exc.status, exc.field, exc.message) == (
        400,
        "counterParty.email",
        "INVALID_EMAIL",
    )
    assert exc.sentence == "Procountor rejected counterParty.email: INVALID_EMAIL."
    assert len(exc.errors) == 2
    text = str(exc)
    assert "POST /invoices" in text and "400" in text
    assert "language: NOT_NULL" in text


def test_validation_sentence_without_field():
    exc = ProcountorValidationError(
        status=400,
        errors=parse_errors(
            {"errors": [{"status": 400, "message": "DUE_DATE_BEFORE_BILL_DATE"}]}, 400
        ),
    )
    assert exc.field is None
    assert exc.sentence == "Procountor rejected the request: DUE_DATE_BEFORE_BILL_DATE."
    assert (
        ProcountorValidationError(status=400).sentence
        == "Procountor rejected the request."
    )


def test_validation_sentence_does_not_double_the_full_stop():
    exc = ProcountorValidationError(
        status=400,
        errors=[{"status": 400, "field": "x", "message": "value cannot be blank."}],
    )
    assert exc.sentence == "Procountor rejected x: value cannot be blank."


@pytest.mark.parametrize(
    "exc, sentence",
    [
        (
            ProcountorAuthError(status=401),
            "Procountor rejected the client ID, client secret or API key.",
        ),
        (
            ProcountorForbiddenError(status=403),
            "Procountor refused access: the API user lacks the rights for this action.",
        ),
        (
            ProcountorConnectionError(host="pts-api.procountor.com"),
            "Procountor could not be reached: pts-api.procountor.com did not answer.",
        ),
        (
            ProcountorTLSError(),
            "The secure connection to Procountor failed: the server certificate could "
            "not be verified.",
        ),
        (ProcountorTimeoutError(), "Procountor did not answer in time."),
        (
            ProcountorTransientError(status=503),
            "Procountor is temporarily unavailable; try again later.",
        ),
        (
            ProcountorUnknownOutcome(),
            "Procountor sent the request but its answer was lost; check in Procountor "
            "before retrying.",
        ),
        (
            ProcountorNotFoundError(status=404),
            "Procountor could not find the requested record.",
        ),
    ],
)
def test_sentences(exc, sentence):
    assert exc.sentence == sentence


def test_hierarchy():
    for cls in (
        ProcountorAuthError,
        ProcountorValidationError,
        ProcountorForbiddenError,
        ProcountorNotFoundError,
        ProcountorTransientError,
        ProcountorConnectionError,
        ProcountorTLSError,
        ProcountorTimeoutError,
        ProcountorUnknownOutcome,
    ):
        assert issubclass(cls, ProcountorError)
    assert issubclass(ProcountorConnectionError, ProcountorTransientError)
    assert issubclass(ProcountorTimeoutError, ProcountorTransientError)
    # "Try again later" would be wrong advice for these: the object may exist already.
    assert not issubclass(ProcountorUnknownOutcome, ProcountorTransientError)
    assert not issubclass(ProcountorTLSError, ProcountorTransientError)


def test_str_is_technical_and_redacted():
    exc = ProcountorAuthError(
        "echo: client_secret=hunter22&api_key=KEY-123",
        status=401,
        method="POST",
        path="/oauth/token",
    )
    text = str(exc)
    assert "POST /oauth/token" in text and "HTTP 401" in text
    assert "hunter22" not in text and "KEY-123" not in text
    assert "hunter22" not in exc.sentence


def test_errors_survive_pickling():
    exc = ProcountorValidationError(
        "detail",
        status=400,
        method="POST",
        path="/invoices",
        errors=[{"status": 400, "field": "f", "message": "m"}],
    )
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.status, copy.field, copy.message, copy.path) == (
        400,
        "f",
        "m",
        "/invoices",
    )
    assert copy.sentence == exc.sentence
