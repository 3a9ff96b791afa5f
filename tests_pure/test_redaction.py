"""redact(): secrets never reach a log."""

import json

import pytest

from procountor_api import redact

SECRET = "s3cr3t-Value"


def test_form_body():
    text = redact(
        f"grant_type=client_credentials&client_id=my-client&client_secret={SECRET}"
        f"&api_key={SECRET}&redirect_uri=https%3A%2F%2Fx"
    )
    assert SECRET not in text
    assert "client_secret=***" in text and "api_key=***" in text
    assert "client_id=my-client" in text and "grant_type=client_credentials" in text


def test_dict_is_masked_by_key_in_any_case_and_depth():
    obj = {
        "access_token": SECRET,
        "expires_in": 3600,
        "nested": [{"Password": SECRET, "API_KEY": SECRET, "refreshToken": SECRET}],
        "AUTHORIZATION": f"Bearer {SECRET}",
        "name": "Acme",
    }
    text = redact(obj)
    assert SECRET not in text
    parsed = json.loads(text)
    assert parsed["access_token"] == "***"
    assert parsed["nested"][0] == {
        "Password": "***",
        "API_KEY": "***",
        "refreshToken": "***",
    }
    assert parsed["expires_in"] == 3600 and parsed["name"] == "Acme"


def test_json_string():
    text = redact(json.dumps({"access_token": SECRET, "token_type": "bearer"}))
    assert SECRET not in text
    assert json.loads(text)["token_type"] == "bearer"


def test_bytes_and_broken_json():
    assert SECRET not in redact(f'{{"client_secret": "{SECRET}", "x": '.encode())
    assert SECRET not in redact(f"{{'client_secret': '{SECRET}'}}")
    assert SECRET not in redact(f'{{"x": 1, "access_token": "{SECRET}')


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {SECRET}",
        f"headers={{'Authorization': 'Bearer {SECRET}'}}",
        f"sent Bearer {SECRET}.x.y== to server",
        f"authorization: Basic {SECRET}",
    ],
)
def test_bearer_and_header_patterns(text):
    assert SECRET not in redact(text)


def test_plain_text_is_untouched():
    text = "Invoice 12 approved; bearer of good news"
    assert redact(text) == text
    assert redact(None) == ""


def test_truncation_marker():
    text = redact("x" * 5000, max_len=100)
    assert text.startswith("x" * 100)
    assert "[truncated 4900 chars]" in text
    assert len(redact("y" * 5000, max_len=None)) == 5000
    assert len(redact("z" * 5000)) < 4100


def test_empty_secret_values_stay_visible():
    # Shows in logs that a secret was missing rather than masking the fact.
    values = {"api_key": "", "password": None}
    assert json.loads(redact(values)) == values
