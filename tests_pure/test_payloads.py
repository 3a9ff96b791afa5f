"""Invoice mapping decisions of procountor_api.payloads (API_NOTES §4)."""

import pytest

from procountor_api.payloads import (
    bank_reference,
    finnish_check_digit,
    invoice_payload,
    invoice_total,
    is_valid_finnish_reference,
    is_valid_rf_reference,
    language_for,
    normalise_iban,
    round2,
    totals_match,
)


def values(**overrides):
    base = {
        "number": "INV/2026/00007",
        "date": "2026-11-20",
        "due_date": "2026-12-04",
        "currency": "EUR",
        "currency_rate": 1,
        "iban": "FI21 1234 5600 0007 85",
        "reference": "",
        "channel": "EMAIL",
        "language": "FINNISH",
        "vat_status": None,
        "vat_country": None,
        "partner_id": 1000001,
        "customer": {
            "name": "Asiakas Oy",
            "identifier": "2345678-2",
            "email": "laskut@asiakas.example",
            "address": {
                "street": "Katu 1",
                "zip": "00100",
                "city": "Helsinki",
                "country": "FINLAND",
            },
        },
        "lines": [
            {
                "product_id": 5,
                "code": "CONS",
                "name": "Consulting",
                "quantity": 2,
                "unit": "HOUR",
                "price_unit": 100.0,
                "discount": 10.0,
                "vat_percent": 25.5,
                "vat_status": None,
            },
        ],
    }
    base.update(overrides)
    return base


def test_invoice_header_and_rows():
    payload = invoice_payload(values())
    assert payload["type"] == "SALES_INVOICE"
    assert payload["status"] == "UNFINISHED"
    assert payload["originalInvoiceNumber"] == "INV/2026/00007"
    assert payload["partnerId"] == 1000001
    assert payload["vatStatus"] == 1, (
        "Domestic when the fiscal position names no status"
    )
    assert payload["paymentInfo"]["bankAccount"] == {
        "accountNumber": "FI2112345600000785"
    }
    assert payload["paymentInfo"]["bankReferenceCode"] == ""
    assert "bankReferenceCodeType" not in payload["paymentInfo"]
    assert payload["counterParty"]["counterPartyAddress"]["name"] == "Asiakas Oy"
    assert payload["invoiceRows"] == [
        {
            "product": "Consulting",
            "quantity": 2,
            "unit": "HOUR",
            "unitPrice": 100.0,
            "discountPercent": 10.0,
            "vatPercent": 25.5,
            "productId": 5,
            "productCode": "CONS",
        },
    ]
    assert "vatCountry" not in payload


def test_credit_note_negates_quantities_not_prices():
    payload = invoice_payload(values(is_refund=True))
    row = payload["invoiceRows"][0]
    assert (row["quantity"], row["unitPrice"]) == (-2, 100.0)
    assert payload["type"] == "SALES_INVOICE", "Procountor has no credit-note type"


def test_row_and_header_vat_status_and_country():
    lines = [dict(values()["lines"][0], vat_status=3, vat_percent=0)]
    payload = invoice_payload(values(vat_status=5, vat_country="SWEDEN", lines=lines))
    assert payload["vatStatus"] == 5
    assert payload["vatCountry"] == "SWEDEN"
    assert payload["invoiceRows"][0]["vatStatus"] == 3


def test_einvoice_address_only_when_given():
    customer = dict(
        values()["customer"],
        einvoice_address="003723456782",
        einvoice_operator="003721291126",
    )
    payload = invoice_payload(values(customer=customer))
    assert payload["counterParty"]["einvoiceAddress"] == {
        "address": "003723456782",
        "operator": "003721291126",
    }
    assert "einvoiceAddress" not in invoice_payload(values())["counterParty"]


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("1232", ("1232", "FI")),
        ("12 32", ("1232", "FI")),
        ("1233", ("", None)),  # wrong check digit
        ("RF18539007547034", ("RF18539007547034", "RF")),
        ("RF18 5390 0754 7034", ("RF18539007547034", "RF")),
        ("RF19539007547034", ("", None)),  # wrong RF check digits
        ("INV/2026/00007", ("", None)),
        ("", ("", None)),
    ],
)
def test_bank_reference(reference, expected):
    assert bank_reference(reference) == expected


def test_reference_validators():
    assert is_valid_finnish_reference("1232")
    assert not is_valid_finnish_reference("123")  # too short
    assert not is_valid_finnish_reference("0000")
    assert is_valid_rf_reference("RF18539007547034")
    assert not is_valid_rf_reference("RF18")
    assert not is_valid_rf_reference("RFAB539007547034")  # letters as check digits
    assert not is_valid_rf_reference(
        "RF18" + "1" * 22
    )  # 26 characters, ISO 11649 allows 25
    assert not is_valid_finnish_reference("1" * 21)  # 21 digits, Finnish ones have 4-20


def test_rf_reference_written_with_hyphens_is_kept_compacted():
    # python-stdnum reads the separators people write; the old check refused
    # such a reference and Procountor made up another one.
    assert bank_reference("rf18-5390-0754-7034") == ("RF18539007547034", "RF")


def test_finnish_check_digit_can_come_from_the_odoo_side():
    assert finnish_check_digit("123") == "2"
    assert bank_reference("1232", check_digit=lambda base: "2") == ("1232", "FI")
    assert bank_reference("1232", check_digit=lambda base: "5") == ("", None)
    assert is_valid_finnish_reference("1235", check_digit=lambda base: 5)


def test_iban_is_compacted():
    assert normalise_iban(" fi21 1234-5600 0007 85 ") == "FI2112345600000785"
    assert normalise_iban(None) == ""


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("fi_FI", "FINNISH"),
        ("sv_SE", "SWEDISH"),
        ("en_US", "ENGLISH"),
        ("nb_NO", "NORWEGIAN"),
        ("et_EE", "ESTONIAN"),
        ("da_DK", "DANISH"),
        ("de_DE", "ENGLISH"),
        (False, "ENGLISH"),
    ],
)
def test_language_fallback(lang, expected):
    assert language_for(lang, "ENGLISH") == expected


def test_totals_compared_to_the_cent_in_invoice_currency():
    remote = {
        "invoiceSumInfo": [
            {
                "currency": "USD",
                "inAccountingCurrency": False,
                "invoiceSumTotal": 251.0,
            },
            {"currency": "EUR", "inAccountingCurrency": True, "invoiceSumTotal": 200.8},
        ]
    }
    assert invoice_total(remote) == 251.0
    assert totals_match(remote, 251.004)
    assert not totals_match(remote, 251.01)
    assert not totals_match({}, 0.0), "no totals reported is not a match"
    assert round2(0.125) == 0.13 and round2(-0.125) == -0.13
