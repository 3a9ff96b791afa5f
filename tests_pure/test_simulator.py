"""Tests of the Procountor simulator over real HTTP on 127.0.0.1 (no Odoo).

The expected behaviour comes from shared/procountor/API_NOTES.md; section numbers are
cited where a test pins a Procountor rule rather than a simulator convenience.
"""

import datetime
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
from werkzeug.test import Client

from procountor_simulator import (
    DEFAULT_CREDENTIALS,
    SimulatedDrop,
    Simulator,
    SimulatorServer,
)
from procountor_simulator.references import (
    is_valid_finnish_reference,
    is_valid_iban,
    is_valid_ytunnus,
    make_finnish_reference,
    make_rf_reference,
)

TIMEOUT = 5
TODAY = datetime.date.today()
COMPANY_IBAN = "FI2112345600000785"


# --- fixtures and helpers ------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    srv = SimulatorServer(Simulator()).start()
    yield srv
    srv.stop()


@pytest.fixture
def sim(server):
    server.sim.reset()
    return server.sim


class Api:
    """Minimal HTTP helper: fetches a token once, then sends Bearer requests."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()
        self.token = None

    def fetch_token(self, **overrides):
        data = dict(grant_type="client_credentials", **DEFAULT_CREDENTIALS)
        data.update(overrides)
        return self.session.post(
            self.base_url + "/oauth/token",
            data={k: v for k, v in data.items() if v is not None},
            timeout=TIMEOUT,
        )

    def call(self, method, path, **kwargs):
        if self.token is None:
            response = self.fetch_token()
            assert response.status_code == 200, response.text
            self.token = response.json()["access_token"]
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(
            method, self.base_url + path, headers=headers, **kwargs
        )

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(server, sim):
    return Api(server.base_url)


def sales_invoice(**overrides):
    """A valid SALES_INVOICE body (§4.1) with one 100.00 row at 25.5 %."""
    body = {
        "type": "SALES_INVOICE",
        "status": "UNFINISHED",
        "date": TODAY.isoformat(),
        "counterParty": {
            "counterPartyAddress": {
                "name": "Buyer Oy",
                "street": "Katu 1",
                "zip": "00100",
                "city": "Helsinki",
                "country": "FINLAND",
            },
            "email": "buyer@example.com",
        },
        "paymentInfo": {
            "paymentMethod": "BANK_TRANSFER",
            "currency": "EUR",
            "bankAccount": {"accountNumber": COMPANY_IBAN},
            "dueDate": (TODAY + datetime.timedelta(days=14)).isoformat(),
            "currencyRate": 1,
            "bankReferenceCode": "",
        },
        "extraInfo": {"accountingByRow": False, "unitPricesIncludeVat": False},
        "discountPercent": 0,
        "invoiceRows": [
            {
                "product": "Consulting",
                "quantity": 1,
                "unit": "HOUR",
                "unitPrice": 100.0,
                "discountPercent": 0,
                "vatPercent": 25.5,
            }
        ],
        "vatStatus": 1,
        "invoiceChannel": "NO_SENDING",
        "language": "FINNISH",
        "originalInvoiceNumber": "INV/2026/00001",
    }
    for key, value in overrides.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def error_fields(response):
    return {(item.get("field"), item["message"]) for item in response.json()["errors"]}


def create_invoice(api, **overrides):
    response = api.post("/invoices", json=sales_invoice(**overrides))
    assert response.status_code == 200, response.text
    return response.json()


# --- authentication (§2.1) -----------------------------------------------------------


def test_token_ok_then_api_call(api, sim):
    response = api.fetch_token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["access_token"]
    api.token = body["access_token"]
    company = api.get("/company").json()
    assert company["id"] == 1000
    assert is_valid_ytunnus(company["businessIdentifier"]["code"])
    assert sim.token_requests == 1
    assert sim.issued_tokens == [api.token]


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_secret": "wrong"},
        {"api_key": None},
        {"grant_type": "password"},
        {"redirect_uri": "http://evil.example/callback"},
    ],
)
def test_token_refused(api, sim, overrides):
    response = api.fetch_token(**overrides)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"]


def test_token_parameters_in_query_are_refused(api):
    # Parameters must travel in the form body (§2.1).
    params = dict(grant_type="client_credentials", **DEFAULT_CREDENTIALS)
    response = requests.post(
        api.base_url + "/oauth/token", params=params, timeout=TIMEOUT
    )
    assert response.status_code == 401


def test_token_expiry_and_expire_tokens(api, sim):
    sim.token_lifetime = 0.3
    assert api.get("/company").status_code == 200
    time.sleep(0.35)
    response = api.get("/company")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"status": 401, "message": "UNAUTHORIZED"}]}

    sim.token_lifetime = 3600
    api.token = None
    assert api.get("/company").status_code == 200
    sim.expire_tokens()
    assert api.get("/company").status_code == 401


def test_missing_or_bad_bearer(api):
    assert requests.get(api.base_url + "/company", timeout=TIMEOUT).status_code == 401
    bad = requests.get(
        api.base_url + "/company",
        headers={"Authorization": "Bearer nope"},
        timeout=TIMEOUT,
    )
    assert bad.status_code == 401


# --- gateway, routing, paging, batch GET (§1, §3.3, §3.4) -----------------------------


def test_get_with_body_is_forbidden(api):
    assert api.get("/company", json={"a": 1}).status_code == 403


def test_unknown_route_and_wrong_method(api):
    response = api.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["status"] == 404
    assert api.delete("/invoices").status_code == 405


def test_paging_envelope(api, sim):
    sim.seed_customers(120)
    response = api.get(
        "/businesspartners", params={"type": "CUSTOMER", "page": 1, "size": 50}
    )
    body = response.json()
    total = len(sim.partners(type="CUSTOMER"))
    assert body["meta"] == {
        "pageNumber": 1,
        "pageSize": 50,
        "resultCount": 50,
        "totalCount": total,
    }
    row = body["results"][0]
    assert set(row) == {
        "id",
        "name",
        "type",
        "billingAddress",
        "invoicingInfo",
        "registryInfo",
        "version",
    }
    last = api.get("/businesspartners", params={"type": "CUSTOMER", "page": 2}).json()
    assert last["meta"]["resultCount"] == total - 100
    default = api.get("/businesspartners").json()["meta"]
    assert default["pageSize"] == 50 and default["pageNumber"] == 0

    too_big = api.get("/businesspartners", params={"size": 201})
    assert too_big.status_code == 400
    assert too_big.json()["errors"][0]["field"] == "size"
    assert api.get("/invoices", params={"size": 200}).status_code == 200


def test_products_keyset_paging(api, sim):
    sim.seed_products(7)
    seen, previous_id = [], 0
    while True:
        page = api.get(
            "/products", params={"size": 5, "previousId": previous_id}
        ).json()
        if not page["results"]:
            break
        assert page["meta"]["resultCount"] == len(page["results"]) <= 5
        seen += [product["id"] for product in page["results"]]
        previous_id = seen[-1]
    assert seen == sorted(set(seen)) and len(seen) == page["meta"]["totalCount"] == 12
    assert (
        api.get("/products", params={"type": "PURCHASE"}).json()["meta"]["totalCount"]
        == 2
    )
    assert (
        api.get("/products", params={"name": "product 0000", "size": 200}).json()[
            "meta"
        ]["totalCount"]
        == 7
    )
    assert api.get("/products", params={"size": 201}).status_code == 400


def test_batch_get(api, sim):
    ids = sorted(partner["id"] for partner in sim.partners())[:3]
    single = api.get(f"/businesspartners/{ids[0]}").json()
    assert isinstance(single, dict) and single["id"] == ids[0]

    several = api.get(f"/businesspartners/{ids[2]},{ids[0]},{ids[0]},999,abc").json()
    assert [item["id"] for item in several] == [ids[0], ids[2]]
    assert isinstance(api.get(f"/businesspartners/{ids[1]},999").json(), list)

    assert api.get("/businesspartners/999,998").status_code == 404
    assert api.get("/businesspartners/999").status_code == 404
    too_many = ",".join(str(ids[0] + n) for n in range(201))
    assert api.get(f"/businesspartners/{too_many}").status_code == 400


# --- business partners (§7) -----------------------------------------------------------


def test_partner_header_search(api, sim):
    partner = sim.add_partner("Hakukone Äijä Oy", identifier="2345678-0")
    found = api.get("/businesspartners", headers={"name": "hakukone"}).json()["results"]
    assert [row["id"] for row in found] == [partner["id"]]
    by_id = api.get("/businesspartners", headers={"identifier": "2345 678-0"}).json()
    assert [row["id"] for row in by_id["results"]] == [partner["id"]]
    assert by_id["results"][0]["invoicingInfo"]["identifier"] == "2345678-0"
    # UTF-8 bytes in a header are decoded too.
    utf8 = api.get("/businesspartners", headers={"name": "äijä".encode()}).json()
    assert [row["id"] for row in utf8["results"]] == [partner["id"]]
    # Query parameters are not the search channel any more (§3.4).
    everyone = api.get("/businesspartners", params={"name": "hakukone"}).json()
    assert everyone["meta"]["totalCount"] > 1


def test_partner_create_validate_and_patch(api, sim):
    bad = api.post(
        "/businesspartners",
        json={"name": "", "type": "PERSON", "paymentInfo": {"paymentMethod": "CHEQUE"}},
    )
    assert bad.status_code == 400
    assert {
        ("name", "REQUIRED"),
        ("type", "INVALID_VALUE"),
        ("paymentInfo.paymentMethod", "INVALID_VALUE"),
    } <= error_fields(bad)
    no_address = api.post(
        "/businesspartners",
        json={
            "name": "X Oy",
            "type": "CUSTOMER",
            "paymentInfo": {"paymentMethod": "BANK_TRANSFER"},
        },
    )
    assert ("address", "REQUIRED") in error_fields(no_address)

    created = api.post(
        "/businesspartners",
        json={
            "name": "Uusi Oy",
            "type": "CUSTOMER",
            "address": {
                "name": "Uusi Oy",
                "street": "Tie 2",
                "zip": "00200",
                "city": "Helsinki",
                "country": "FINLAND",
            },
            "invoicingInfo": {"identifier": "1234567-1", "email": "a@uusi.example"},
            "paymentInfo": {"paymentMethod": "BANK_TRANSFER"},
        },
    ).json()
    assert created["registryInfo"]["active"] is True and created["version"]

    stale = api.patch(
        f"/businesspartners/{created['id']}",
        json={"name": "Renamed Oy", "version": "2000-01-01T00:00:00"},
    )
    assert stale.status_code == 409
    assert (
        api.patch(
            f"/businesspartners/{created['id']}", json={"name": "Renamed Oy"}
        ).status_code
        == 400
    )
    patched = api.patch(
        f"/businesspartners/{created['id']}",
        json={
            "name": "Renamed Oy",
            "version": created["version"],
            "invoicingInfo": {"email": "b@uusi.example"},
        },
    ).json()
    assert patched["name"] == "Renamed Oy"
    assert patched["invoicingInfo"] == {
        **created["invoicingInfo"],
        "email": "b@uusi.example",
    }
    assert patched["version"] > created["version"]


def test_products_create_validation(api):
    bad = api.post(
        "/products", json={"name": "Thing", "type": "SALES", "unit": "BUCKET"}
    )
    assert bad.status_code == 400
    assert {
        ("price", "REQUIRED"),
        ("discount", "REQUIRED"),
        ("active", "REQUIRED"),
        ("currency", "REQUIRED"),
        ("unit", "INVALID_VALUE"),
    } <= error_fields(bad)
    good = api.post(
        "/products",
        json={
            "name": "Thing",
            "type": "SALES",
            "unit": "PIECE",
            "price": 5,
            "discount": 0,
            "active": True,
            "currency": "EUR",
            "vat": 25.5,
        },
    )
    assert good.status_code == 200 and good.json()["id"]


# --- invoice validation (§4, §14.5) ---------------------------------------------------


def test_invoice_create_returns_full_invoice(api, sim):
    invoice = create_invoice(api, status="SENT")
    assert invoice["status"] == "UNFINISHED"  # forced (§4.1)
    assert invoice["invoiceNumber"] == 1 and invoice["version"]
    assert invoice["attachments"] == [] and invoice["ledgerReceiptId"]
    assert invoice["invoiceSumInfo"] == [
        {
            "currency": "EUR",
            "inAccountingCurrency": False,
            "excludingVatTotal": 100.0,
            "vatSumTotal": 25.5,
            "invoiceSumTotal": 125.5,
        }
    ]
    assert len(invoice["version"]) == 19 and invoice["version"][10] == "T"
    assert (
        sim.invoices(originalInvoiceNumber="INV/2026/00001")[0]["id"] == invoice["id"]
    )
    second = create_invoice(api)
    assert second["invoiceNumber"] == 2


def test_invoice_validation_reports_all_errors(api, sim):
    body = sales_invoice(
        type="CREDIT_NOTE",
        language=None,
        vatStatus=99,
        invoiceChannel="PAPER_INVOICE",
        originalInvoiceNumber="X" * 41,
        partnerId=424242,
    )
    body["paymentInfo"].update(
        currency="XYZ",
        paymentMethod="DIRECT_DEBIT",
        bankAccount={"accountNumber": "FI0000000000000000"},
    )
    body["invoiceRows"][0].update(vatPercent=24, unit="BUCKET")
    body["invoiceRows"].append({"product": "", "quantity": "2"})
    response = api.post("/invoices", json=body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert all(item["status"] == 400 for item in errors)
    fields = {item.get("field") for item in errors}
    assert {
        "type",
        "vatStatus",
        "invoiceChannel",
        "originalInvoiceNumber",
        "partnerId",
        "paymentInfo.currency",
        "paymentInfo.paymentMethod",
        "invoiceRows[0].vatPercent",
        "invoiceRows[0].unit",
        "invoiceRows[1].product",
        "invoiceRows[1].quantity",
        "invoiceRows[1].unitPrice",
        "invoiceRows[1].vatPercent",
    } <= fields
    assert sim.invoices() == []


def test_sales_invoice_needs_language_and_company_iban(api):
    body = sales_invoice(language=None)
    body["paymentInfo"]["bankAccount"]["accountNumber"] = "FI4950009420028730"
    response = api.post("/invoices", json=body)
    assert {
        ("language", "REQUIRED"),
        ("paymentInfo.bankAccount.accountNumber", "INVALID_VALUE"),
    } <= error_fields(response)
    cash = sales_invoice()
    cash["paymentInfo"].update(paymentMethod="CASH", bankAccount=None)
    assert api.post("/invoices", json=cash).status_code == 200


def test_channel_rules(api):
    no_email = sales_invoice(invoiceChannel="EMAIL")
    del no_email["counterParty"]["email"]
    assert ("counterParty.email", "REQUIRED") in error_fields(
        api.post("/invoices", json=no_email)
    )

    mail = sales_invoice(invoiceChannel="MAIL")
    mail["counterParty"]["counterPartyAddress"] = {
        "name": "Buyer Oy",
        "street": "Katu 1",
    }
    assert {
        ("counterParty.counterPartyAddress.zip", "REQUIRED"),
        ("counterParty.counterPartyAddress.city", "REQUIRED"),
    } <= error_fields(api.post("/invoices", json=mail))
    mail["billingAddress"] = {"street": "PL 1", "zip": "00101", "city": "Helsinki"}
    assert api.post("/invoices", json=mail).status_code == 200

    einvoice = sales_invoice(invoiceChannel="ELECTRONIC_INVOICE", billingAddress={})
    einvoice["paymentInfo"].pop("bankReferenceCode")
    errors = error_fields(api.post("/invoices", json=einvoice))
    assert {
        ("counterParty.einvoiceAddress.address", "REQUIRED"),
        ("counterParty.einvoiceAddress.operator", "REQUIRED"),
        ("billingAddress.street", "REQUIRED"),
        ("paymentInfo.bankReferenceCode", "REQUIRED"),
    } <= errors
    einvoice = sales_invoice(invoiceChannel="ELECTRONIC_INVOICE")
    einvoice["counterParty"]["einvoiceAddress"] = {
        "address": "003712345671",
        "operator": "003721291126",
    }
    assert api.post("/invoices", json=einvoice).status_code == 200

    assert ("invoiceChannel", "INVALID_VALUE") in error_fields(
        api.post("/invoices", json=sales_invoice(invoiceChannel="EDIFACT"))
    )


def test_reference_generation_and_check_digits(api):
    generated = create_invoice(api)["paymentInfo"]
    assert is_valid_finnish_reference(generated["bankReferenceCode"])
    assert generated["bankReferenceCodeType"] == "FI"

    for reference in (
        make_finnish_reference("1234561"),
        make_rf_reference("INV2026001"),
    ):
        body = sales_invoice()
        body["paymentInfo"]["bankReferenceCode"] = reference
        assert (
            api.post("/invoices", json=body).json()["paymentInfo"]["bankReferenceCode"]
            == reference
        )

    for wrong in ("12345615", "RF19INV2026001"):
        body = sales_invoice()
        body["paymentInfo"]["bankReferenceCode"] = wrong
        response = api.post("/invoices", json=body)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "paymentInfo.bankReferenceCode"

    omitted = sales_invoice()
    del omitted["paymentInfo"]["bankReferenceCode"]
    assert (
        api.post("/invoices", json=omitted).json()["paymentInfo"]["bankReferenceCode"]
        is None
    )


def test_due_date_before_bill_date_and_closed_period(api, sim):
    body = sales_invoice()
    body["paymentInfo"]["dueDate"] = (TODAY - datetime.timedelta(days=1)).isoformat()
    response = api.post("/invoices", json=body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"status": 400, "message": "DUE_DATE_BEFORE_BILL_DATE"}
    ]

    old = datetime.date(TODAY.year - 3, 6, 1)
    body = sales_invoice(date=old.isoformat())
    body["paymentInfo"]["dueDate"] = (old + datetime.timedelta(days=14)).isoformat()
    assert error_fields(api.post("/invoices", json=body)) == {
        ("date", "CLOSED_FISCAL_PERIOD")
    }
    sim.add_fiscal_year(datetime.date(old.year, 1, 1), datetime.date(old.year, 12, 31))
    assert api.post("/invoices", json=body).status_code == 200


def test_windows_1252_only(api):
    body = sales_invoice(additionalInformation="Kiitos 🙂")
    assert ("additionalInformation", "CHARACTERS_OUTSIDE_WINDOWS_1252") in error_fields(
        api.post("/invoices", json=body)
    )


# --- totals (§4.1 invoiceSumInfo, §14.7) ----------------------------------------------


def test_sum_info_with_discounts_to_the_cent(api):
    rows = [
        # 3 × 19.99 − 10 % − 5 % header = 51.27435 -> 51.27; VAT 25.5 % = 13.07
        {
            "product": "A",
            "quantity": 3,
            "unit": "PIECE",
            "unitPrice": 19.99,
            "discountPercent": 10,
            "vatPercent": 25.5,
        },
        # 2 × 5.05 − 5 % header = 9.595 -> 9.60 (half-up); VAT 14 % = 1.344 -> 1.34
        {
            "product": "B",
            "quantity": 2,
            "unit": "PIECE",
            "unitPrice": 5.05,
            "discountPercent": 0,
            "vatPercent": 14,
        },
        # credit row: −1 × 10 − 5 % = −9.50; VAT 0
        {
            "product": "C",
            "quantity": -1,
            "unit": "PIECE",
            "unitPrice": 10,
            "discountPercent": 0,
            "vatPercent": 0,
        },
    ]
    invoice = create_invoice(api, invoiceRows=rows, discountPercent=5)
    assert invoice["invoiceSumInfo"] == [
        {
            "currency": "EUR",
            "inAccountingCurrency": False,
            "excludingVatTotal": 51.37,
            "vatSumTotal": 14.41,
            "invoiceSumTotal": 65.78,
        }
    ]


def test_sum_info_prices_including_vat(api):
    rows = [
        {
            "product": "Gross",
            "quantity": 2,
            "unit": "PIECE",
            "unitPrice": 12.55,
            "discountPercent": 0,
            "vatPercent": 25.5,
        }
    ]
    invoice = create_invoice(
        api,
        invoiceRows=rows,
        extraInfo={"accountingByRow": False, "unitPricesIncludeVat": True},
    )
    assert invoice["invoiceSumInfo"][0]["excludingVatTotal"] == 20.0
    assert invoice["invoiceSumInfo"][0]["vatSumTotal"] == 5.1
    assert invoice["invoiceSumInfo"][0]["invoiceSumTotal"] == 25.1


def test_sum_info_foreign_currency(api, sim):
    body = sales_invoice()
    body["paymentInfo"].update(currency="USD", currencyRate=1.1)
    body["invoiceRows"][0].update(unitPrice=99.99)
    invoice = api.post("/invoices", json=body).json()
    # 99.99 + 25.50 VAT (25.497 -> 25.50) = 125.49 USD; in EUR 90.90 + 23.18 = 114.08
    assert invoice["invoiceSumInfo"] == [
        {
            "currency": "USD",
            "inAccountingCurrency": False,
            "excludingVatTotal": 99.99,
            "vatSumTotal": 25.5,
            "invoiceSumTotal": 125.49,
        },
        {
            "currency": "EUR",
            "inAccountingCurrency": True,
            "excludingVatTotal": 90.9,
            "vatSumTotal": 23.18,
            "invoiceSumTotal": 114.08,
        },
    ]
    receipt = sim.ledger_receipts(id=invoice["ledgerReceiptId"])[0]
    assert [t["accountingValue"] for t in receipt["transactions"]] == [90.9, -90.9]

    bad_rate = sales_invoice()
    bad_rate["paymentInfo"]["currencyRate"] = 1.2  # EUR invoices use rate 1 (§4.2)
    assert ("paymentInfo.currencyRate", "INVALID_VALUE") in error_fields(
        api.post("/invoices", json=bad_rate)
    )


def test_sales_ledger_receipt(api, sim):
    rows = [
        {
            "product": "A",
            "quantity": 1,
            "unit": "PIECE",
            "unitPrice": 100,
            "discountPercent": 0,
            "vatPercent": 25.5,
        },
        {
            "product": "B",
            "quantity": 1,
            "unit": "PIECE",
            "unitPrice": 50,
            "discountPercent": 0,
            "vatPercent": 14,
        },
    ]
    invoice = create_invoice(api, invoiceRows=rows)
    receipt = api.get(f"/ledgerreceipts/{invoice['ledgerReceiptId']}").json()
    assert receipt["type"] == "SALES_INVOICE" and receipt["invoiceId"] == invoice["id"]
    reversing, *entries = receipt["transactions"]
    assert (reversing["transactionType"], reversing["account"]) == (
        "REVERSING_ENTRY",
        "1700",
    )
    assert {(t["account"], t["accountingValue"], t["vatPercent"]) for t in entries} == {
        ("3000", -100.0, 25.5),
        ("3000", -50.0, 14),
    }
    assert round(sum(t["accountingValue"] for t in receipt["transactions"]), 2) == 0


# --- state machine (§4.5, §14.4) ------------------------------------------------------


def test_approve_send_state_machine(api, sim):
    invoice = create_invoice(api)
    path = f"/invoices/{invoice['id']}"
    assert api.put(path + "/send").status_code == 403  # not approved yet

    approved = api.put(path + "/approve", json={})
    assert approved.status_code == 200 and "message" in approved.json()
    after = api.get(path).json()
    assert after["status"] == "NOT_SENT" and after["version"] > invoice["version"]
    assert api.put(path + "/approve", json={}).status_code == 403

    edit = dict(after, notes="late edit")
    assert (
        api.put(path, json=edit).status_code == 403
    )  # nothing editable after approval

    assert api.put(path + "/send").status_code == 200
    assert api.get(path).json()["status"] == "SENT"
    assert api.put(path + "/send").status_code == 200  # re-send is allowed
    assert api.put(path + "/unfinished").status_code == 403
    actions = [
        row["action"] for row in api.get(path + "/transactions").json()["transactions"]
    ]
    assert actions == ["APPROVAL", "SEND", "SEND"]

    assert api.put(path + "/invalidate").status_code == 200
    assert sim.invoices(id=invoice["id"])[0]["status"] == "INVALIDATED"
    receipt = sim.ledger_receipts(id=invoice["ledgerReceiptId"])[0]
    assert receipt["status"] == "INVALIDATED"  # receipts mirror the invoice (§6)


def test_put_invoice_needs_current_version(api, sim):
    invoice = create_invoice(api)
    path = f"/invoices/{invoice['id']}"
    stale = dict(invoice, version="2000-01-01T00:00:00")
    response = api.put(path, json=stale)
    assert response.status_code == 409 and response.json()["errors"][0]["status"] == 409

    unchanged = api.put(path, json=dict(invoice, notes="just a note")).json()
    assert unchanged["ledgerReceiptId"] == invoice["ledgerReceiptId"]
    assert unchanged["version"] > invoice["version"]

    rows = [dict(invoice["invoiceRows"][0], unitPrice=200.0)]
    edited = api.put(path, json=dict(unchanged, invoiceRows=rows)).json()
    assert edited["invoiceSumInfo"][0]["invoiceSumTotal"] == 251.0
    assert (
        edited["ledgerReceiptId"] != invoice["ledgerReceiptId"]
    )  # new receipt id (§4.5)
    assert api.get(f"/ledgerreceipts/{invoice['ledgerReceiptId']}").status_code == 404

    other = api.put(path, json=dict(edited, invoiceChannel="EDIFACT"))
    assert ("invoiceChannel", "INVALID_VALUE") in error_fields(other)


def test_purchase_invoice_approval(api, sim):
    supplier = sim.partners(type="SUPPLIER")[0]
    invoice, _ = sim.add_purchase_invoice(supplier, TODAY, status="RECEIVED")
    path = f"/invoices/{invoice['id']}"
    assert api.put(path + "/approve", json={"comment": "ok"}).status_code == 200
    assert api.get(path).json()["status"] == "APPROVED"
    assert api.put(path + "/send").status_code == 403


# --- payments (§4.7) ------------------------------------------------------------------


def test_payment_events_and_statuses(api, sim):
    first = create_invoice(api)  # 125.50 EUR
    second = create_invoice(api)
    path = f"/invoices/{first['id']}"
    mark = {
        "paymentDate": TODAY.isoformat(),
        "amount": 25.5,
        "currency": "EUR",
        "paymentMethodType": "CASH",
        "description": "cash at the counter",
    }
    assert api.put(path + "/paymentevents/markpaid", json=mark).status_code == 403
    api.put(path + "/approve", json={})
    api.put(path + "/send")

    wrong_currency = api.put(
        path + "/paymentevents/markpaid", json=dict(mark, currency="SEK")
    )
    assert ("currency", "INVALID_VALUE") in error_fields(wrong_currency)

    event = api.put(path + "/paymentevents/markpaid", json=mark).json()
    assert (event["type"], event["status"], event["amount"]) == (
        "CASH",
        "MARKED_PAID",
        25.5,
    )
    status_after_partial = api.get(path).json()
    assert status_after_partial["status"] == "PARTLY_PAID"

    sim.register_payment(first["id"], 100.0)
    settled = api.get(path).json()
    assert settled["status"] == "PAID" and settled["paymentDate"] == TODAY.isoformat()
    assert settled["version"] > status_after_partial["version"]

    sim.register_payment(first["id"], -100.0, type="CORRECTION")
    assert api.get(path).json()["status"] == "PARTLY_PAID"
    sim.register_payment(second["id"], 125.5, type="ELSEWHERE")
    assert sim.invoices(id=second["id"])[0]["status"] == "MARKED_PAID"

    own = api.get(path + "/paymentevents").json()
    assert own["meta"]["totalCount"] == 3
    assert [e["amount"] for e in own["results"]] == [25.5, 100.0, -100.0]

    bulk = api.get(
        "/payments/paymentevents",
        params={"invoiceId": f"{first['id']},{second['id']}", "size": 2},
    ).json()
    assert bulk["meta"]["totalCount"] == 4 and bulk["meta"]["resultCount"] == 2
    row = bulk["results"][0]
    assert {
        "id",
        "invoiceId",
        "type",
        "paymentDate",
        "amount",
        "currency",
        "paidAmount",
        "paidCurrency",
        "status",
        "description",
        "receiverName",
    } <= set(row)
    assert row["receiverName"] == "Buyer Oy"
    too_many = ",".join(str(n) for n in range(1, 202))
    assert (
        api.get("/payments/paymentevents", params={"invoiceId": too_many}).status_code
        == 400
    )


def test_mark_paid_in_foreign_currency(api, sim):
    body = sales_invoice()
    body["paymentInfo"].update(currency="SEK", currencyRate=11.5)
    invoice = api.post("/invoices", json=body).json()
    path = f"/invoices/{invoice['id']}"
    api.put(path + "/approve", json={})
    event = api.put(
        path + "/paymentevents/markpaid",
        json={"paymentDate": TODAY.isoformat(), "amount": 125.5, "currency": "SEK"},
    ).json()
    # amount in company currency, paidAmount in the invoice currency (§4.7)
    assert (event["amount"], event["currency"]) == (10.91, "EUR")
    assert (event["paidAmount"], event["paidCurrency"]) == (125.5, "SEK")
    assert api.get(path).json()["status"] == "MARKED_PAID"


def test_invoice_search_filters(api, sim):
    first = create_invoice(api)
    second = create_invoice(
        api,
        originalInvoiceNumber="INV/2026/00002",
        additionalInformation="Project Apollo",
    )
    api.put(f"/invoices/{second['id']}/approve", json={})
    approved_version = api.get(f"/invoices/{second['id']}").json()["version"]
    sim.add_purchase_invoice("Paper Mill Oy", TODAY)

    def ids(**params):
        return [
            row["id"] for row in api.get("/invoices", params=params).json()["results"]
        ]

    assert ids(originalInvoiceNumber="INV/2026/00002") == [second["id"]]
    both = [first["id"], second["id"]]
    assert ids(status="UNFINISHED,NOT_SENT", types="SALES_INVOICE") == both
    assert ids(status="NOT_SENT") == [second["id"]]
    assert ids(types="SALES_INVOICE", orderById="DESC") == [second["id"], first["id"]]
    assert ids(searchTerm="apollo") == [second["id"]]
    assert len(ids(types="PURCHASE_INVOICE")) == 1
    assert ids(versionStartDate=approved_version, types="SALES_INVOICE") == [
        second["id"]
    ]
    assert api.get("/invoices", params={"status": "BOGUS"}).status_code == 400
    row = api.get(
        "/invoices", params={"invoiceNumber": 1, "types": "SALES_INVOICE"}
    ).json()["results"][0]
    assert {
        "id",
        "partnerId",
        "type",
        "status",
        "invoiceNumber",
        "originalInvoiceNumber",
        "invoiceChannel",
        "date",
        "dueDate",
        "created",
        "version",
        "invoiceSumInfo",
        "counterParty",
    } <= set(row)


# --- faults ---------------------------------------------------------------------------


def test_fail_next_with_retry_after(api, sim):
    sim.fail_next("GET", "/company", status=429)
    response = api.get("/company")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.json()["errors"][0]["status"] == 429
    assert api.get("/company").status_code == 200

    sim.fail_next(None, "/invoices*", status=503, count=2, retry_after=7)
    assert api.get("/invoices").headers["Retry-After"] == "7"
    assert api.post("/invoices", json=sales_invoice()).status_code == 503
    assert sim.invoices() == []
    assert api.post("/invoices", json=sales_invoice()).status_code == 200

    sim.fail_next("GET", "/status", status=502, body="<html>Bad gateway</html>")
    assert api.get("/status").text == "<html>Bad gateway</html>"


def test_drop_next_closes_the_connection(api, sim):
    api.get("/company")  # token first, so the drop hits the invoice call
    sim.drop_next("POST", "/invoices")
    with pytest.raises(requests.ConnectionError):
        api.post("/invoices", json=sales_invoice())
    assert sim.invoices() == []
    assert (
        sim.requests[-1]["status"] is None and sim.requests[-1]["dropped"] == "request"
    )
    assert api.post("/invoices", json=sales_invoice()).status_code == 200


def test_lose_response_stores_but_client_errors(api, sim):
    api.get("/company")
    sim.lose_response_next()
    with pytest.raises(requests.ConnectionError):
        api.post("/invoices", json=sales_invoice(originalInvoiceNumber="INV/LOST"))
    assert len(sim.invoices(originalInvoiceNumber="INV/LOST")) == 1
    assert sim.requests[-1]["handled_status"] == 200
    # The idempotency look-up a client would do next (§4.8).
    found = api.get("/invoices", params={"originalInvoiceNumber": "INV/LOST"}).json()
    assert found["meta"]["totalCount"] == 1


def test_delay_and_latency(api, sim):
    api.get("/company")
    sim.delay_next("GET", "/company", 0.3)
    started = time.monotonic()
    api.get("/company")
    assert time.monotonic() - started >= 0.3
    sim.delay_next("GET", "/company", 0.5)
    with pytest.raises(requests.ReadTimeout):
        api.get("/company", timeout=0.1)
    sim.latency = 0.05
    started = time.monotonic()
    api.get("/company")
    assert time.monotonic() - started >= 0.05


def test_rate_limit(api, sim):
    api.get("/company")
    sim.rate_limit = 5
    statuses = [api.get("/status").status_code for _ in range(8)]
    assert statuses.count(200) == 5 and statuses.count(429) == 3
    limited = api.get("/status")
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["errors"][0]["status"] == 429
    time.sleep(1.05)
    assert api.get("/status").status_code == 200
    sim.rate_limit = None
    assert all(api.get("/status").status_code == 200 for _ in range(10))


def test_request_log_and_count(api, sim):
    invoice = create_invoice(api)
    api.put(f"/invoices/{invoice['id']}/approve", json={})
    api.get("/invoices", params={"status": "NOT_SENT"})
    assert sim.count("PUT", "/invoices/*/approve") == 1
    assert sim.count(path="/invoices*") == 3
    assert sim.token_requests == 1
    token_call = sim.requests[0]
    assert token_call["path"] == "/oauth/token" and token_call["form"]["grant_type"]
    listing = sim.requests[-1]
    assert listing["query"] == {"status": "NOT_SENT"} and listing["status"] == 200
    assert listing["headers"]["Authorization"].startswith("Bearer ")
    assert sim.requests[1]["json"]["type"] == "SALES_INVOICE"


# --- attachments (§11) ----------------------------------------------------------------


def upload(api, meta, content=b"%PDF-1.4 test", name="invoice.pdf"):
    files = {
        "meta": (None, json.dumps(meta), "application/json"),
        "file": (name, content, "application/pdf"),
    }
    return api.post("/attachments", files=files)


def test_attachments_upload_download_delete(api, sim):
    invoice = create_invoice(api)
    meta = {
        "name": "INV_2026_00001.pdf",
        "referenceType": "INVOICE",
        "referenceId": invoice["id"],
        "sendWithInvoice": True,
    }
    created = upload(api, meta).json()
    assert created["mimeType"] == "application/pdf" and created["id"]
    stored = api.get(f"/invoices/{invoice['id']}").json()["attachments"]
    assert [item["id"] for item in stored] == [created["id"]]
    assert sim.attachments()[0]["content"] == b"%PDF-1.4 test"

    download = api.get(f"/attachments/{created['id']}")
    assert download.headers["Content-Type"].startswith("multipart/mixed")
    message = email.message_from_bytes(
        b"Content-Type: "
        + download.headers["Content-Type"].encode()
        + b"\r\n\r\n"
        + download.content,
        policy=email.policy.default,
    )
    meta_part, file_part = list(message.iter_parts())
    assert meta_part.get_content_type() == "application/json"
    assert file_part.get_payload(decode=True) == b"%PDF-1.4 test"

    assert api.delete(f"/attachments/{created['id']}").status_code == 204
    assert api.get(f"/invoices/{invoice['id']}").json()["attachments"] == []
    assert api.get(f"/attachments/{created['id']}").status_code == 404


def test_attachment_validation(api, sim):
    purchase, _ = sim.add_purchase_invoice("Paper Mill Oy", TODAY)
    bad_send = upload(
        api,
        {
            "name": "bill.pdf",
            "referenceType": "INVOICE",
            "referenceId": purchase["id"],
            "sendWithInvoice": True,
        },
    )
    assert ("sendWithInvoice", "INVALID_VALUE") in error_fields(bad_send)
    missing = upload(
        api, {"name": "x.pdf", "referenceType": "INVOICE", "referenceId": 1}
    )
    assert {
        ("referenceId", "NOT_FOUND"),
        ("sendWithInvoice", "REQUIRED"),
    } <= error_fields(missing)
    too_big = upload(
        api,
        {
            "name": "big.pdf",
            "referenceType": "INVOICE",
            "referenceId": purchase["id"],
            "sendWithInvoice": False,
        },
        content=b"0" * 10_000_001,
    )
    assert ("file", "FILE_TOO_LARGE") in error_fields(too_big)
    assert sim.attachments() == []


# --- purchase invoices and ledger receipts (§5, §6) -----------------------------------


def test_purchase_invoice_seed_and_receipt(api, sim):
    supplier = sim.partners(type="SUPPLIER")[0]
    dimension = sim.add_dimension("Department", ["Kitchen"])
    item = dimension["items"][0]
    invoice, receipt = sim.add_purchase_invoice(
        supplier,
        TODAY,
        currency="SEK",
        currency_rate=11.0,
        invoice_number="SUP-77",
        rows=[
            {
                "product": "Coffee",
                "quantity": 2,
                "unitPrice": 55.0,
                "vatPercent": 14,
                "account": "4000",
                "dimensionItemValues": [
                    {
                        "dimensionId": dimension["id"],
                        "itemId": item["id"],
                        "value": 10.0,
                    }
                ],
            },
            {
                "product": "Repairs",
                "quantity": 1,
                "unitPrice": 220.0,
                "vatPercent": 25.5,
                "account": "7680",
            },
        ],
        with_attachment=True,
    )
    assert invoice["type"] == "PURCHASE_INVOICE" and invoice["status"] == "APPROVED"
    assert invoice["originalInvoiceNumber"] == "SUP-77"
    assert invoice["partnerId"] == supplier["id"]
    assert is_valid_finnish_reference(invoice["paymentInfo"]["bankReferenceCode"])
    assert invoice["invoiceSumInfo"][1] == {
        "currency": "EUR",
        "inAccountingCurrency": True,
        "excludingVatTotal": 30.0,
        "vatSumTotal": 6.5,
        "invoiceSumTotal": 36.5,
    }
    assert len(invoice["attachments"]) == 1

    listed = api.get(
        "/invoices", params={"types": "PURCHASE_INVOICE", "status": "APPROVED"}
    ).json()
    assert [row["id"] for row in listed["results"]] == [invoice["id"]]
    fetched = api.get(f"/ledgerreceipts/{invoice['ledgerReceiptId']}").json()
    assert fetched == receipt
    reversing, coffee, repairs = fetched["transactions"]
    assert (
        reversing["transactionType"],
        reversing["account"],
        reversing["accountingValue"],
    ) == ("REVERSING_ENTRY", "2880", -30.0)
    assert (
        coffee["account"],
        coffee["accountingValue"],
        coffee["vatPercent"],
        coffee["vatStatus"],
        coffee["description"],
    ) == ("4000", 10.0, 14, 1, "Coffee")
    assert coffee["dimensionItemValues"][0]["itemId"] == item["id"]
    assert (repairs["account"], repairs["accountingValue"]) == ("7680", 20.0)

    receipts = api.get(
        "/ledgerreceipts", params={"types": "PURCHASE_INVOICE", "status": "APPROVED"}
    ).json()
    assert [row["id"] for row in receipts["results"]] == [receipt["id"]]

    version_before = api.get(f"/invoices/{invoice['id']}").json()["version"]

    new_receipt = sim.change_ledger_receipt(
        invoice["id"],
        transactions=[
            {"account": "4000", "accountingValue": 25.0, "vatPercent": 14},
            {"account": "7680", "accountingValue": 5.0, "vatPercent": 25.5},
        ],
    )
    assert new_receipt["id"] != receipt["id"]
    assert api.get(f"/ledgerreceipts/{receipt['id']}").status_code == 404
    refetched = api.get(f"/invoices/{invoice['id']}").json()
    assert refetched["ledgerReceiptId"] == new_receipt["id"]
    assert refetched["version"] > version_before
    values = [
        t["accountingValue"]
        for t in api.get(f"/ledgerreceipts/{new_receipt['id']}").json()["transactions"]
    ]
    assert values == [-30.0, 25.0, 5.0]


def test_change_ledger_receipt_rows_get_the_seed_row_defaults(sim):
    invoice, _receipt = sim.add_purchase_invoice("Paper Mill Oy", TODAY)
    new_receipt = sim.change_ledger_receipt(
        invoice["id"],
        rows=[{"product": "Paper", "unitPrice": 120.0, "account": "6800"}],
    )
    row = sim.invoices(id=invoice["id"])[0]["invoiceRows"][0]
    assert (row["quantity"], row["unit"], row["vatPercent"]) == (1, "PIECE", 25.5)
    assert [
        (t["account"], t["accountingValue"]) for t in new_receipt["transactions"]
    ] == [("2880", -120.0), ("6800", 120.0)]


def test_ledger_receipt_put(api, sim):
    invoice, receipt = sim.add_purchase_invoice("Paper Mill Oy", TODAY)
    transactions = [dict(t) for t in receipt["transactions"]]
    transactions[1]["account"] = "6800"
    updated = api.put(
        f"/ledgerreceipts/{receipt['id']}",
        json={"version": receipt["version"], "transactions": transactions},
    )
    assert (
        updated.status_code == 200
        and updated.json()["transactions"][1]["account"] == "6800"
    )
    transactions[1]["account"] = "9999"
    transactions[1]["accountingValue"] = 1.0
    bad = api.put(
        f"/ledgerreceipts/{receipt['id']}",
        json={"version": updated.json()["version"], "transactions": transactions},
    )
    assert {
        ("transactions[1].account", "NOT_FOUND"),
        ("transactions", "TRANSACTIONS_DO_NOT_BALANCE"),
    } <= error_fields(bad)


# --- seeding, reset, server -----------------------------------------------------------


def test_default_seed(api, sim):
    vats = api.get("/vats/default").json()
    percents = {p["vatPercent"] for p in vats["vatInformation"][0]["percentages"]}
    assert percents == {25.5, 14, 13.5, 10, 0}
    statuses = {s["vatStatus"]: s for s in vats["vatStatuses"]}
    assert {1, 3, 5, 12} <= set(statuses) and statuses[5]["sales"]
    assert api.get("/vats/settings").json() == {
        "unitPricesIncludeVatSales": False,
        "unitPricesIncludeVatPurchase": True,
    }
    accounts = {
        a["ledgerAccountCode"] for a in api.get("/coa").json()["ledgerAccounts"]
    }
    assert {"1700", "1910", "2880", "2939", "3000", "4000", "7680"} <= accounts
    bank = api.get("/bankaccounts").json()["results"][0]
    assert bank["defaultForInvoice"] and is_valid_iban(bank["iban"])
    years = api.get("/fiscalyears").json()["fiscalYears"]
    assert (
        years[0]["isOpen"]
        and years[0]["startDate"] <= TODAY.isoformat() <= years[0]["endDate"]
    )
    assert api.get("/vats/country", params={"countryCode": "SE"}).json()[
        "vatPercentages"
    ]
    assert api.get("/vats/country", params={"countryCode": "XX"}).status_code == 400
    assert api.get("/currencies/company").json() == {"companyCurrency": "EUR"}
    assert api.get("/sessioninfo").json()["companyId"] == 1000
    assert sim.partners(type="SUPPLIER") and sim.products(type="SALES")

    assert sim.vats_default == vats and sim.company["id"] == 1000
    sim.remove_vat_status(12)
    sim.remove_vat_percent(10)
    sim.add_vat_percent(24, country="SWEDEN", purchase=False)
    changed = api.get("/vats/default").json()
    assert 12 not in {s["vatStatus"] for s in changed["vatStatuses"]}
    assert [c["country"] for c in changed["vatInformation"]] == ["FINLAND", "SWEDEN"]
    assert 10 not in {
        p["vatPercent"] for p in changed["vatInformation"][0]["percentages"]
    }

    empty = Simulator(seed=False)
    assert empty.partners() == [] and empty.store.company["id"] == 1000


def test_seed_customers_is_fast_and_distinct(sim):
    started = time.monotonic()
    customers = sim.seed_customers(5000)
    assert time.monotonic() - started < 3
    identifiers = {c["invoicingInfo"]["identifier"] for c in customers}
    assert len(identifiers) == 5000 and all(is_valid_ytunnus(i) for i in identifiers)
    assert any(c["billingAddress"] for c in customers)
    assert any(c["deliveryAddress"] for c in customers)


def test_reset(api, sim):
    create_invoice(api)
    sim.fail_next("GET", "/company")
    sim.rate_limit = 1
    sim.add_partner("Temporary Oy")
    sim.reset()
    assert sim.invoices() == [] and sim.requests == [] and sim.faults.rules == []
    assert sim.rate_limit is None and sim.partners(name="Temporary Oy") == []
    assert api.get("/company").status_code == 401  # tokens are forgotten too
    api.token = None
    assert api.get("/company").status_code == 200
    assert create_invoice(api)["invoiceNumber"] == 1  # counters restart


def test_wsgi_app_with_test_client():
    sim = Simulator()
    client = Client(sim.wsgi_app)
    token = client.post(
        "/api/oauth/token",
        data=dict(grant_type="client_credentials", **DEFAULT_CREDENTIALS),
    )
    assert token.status_code == 200
    headers = {"Authorization": "Bearer " + token.get_json()["access_token"]}
    assert client.get("/api/company", headers=headers).get_json()["id"] == 1000
    sim.drop_next("GET", "/company")
    with pytest.raises(SimulatedDrop):
        client.get("/api/company", headers=headers)


def test_concurrent_creates_get_distinct_numbers(api, sim):
    api.get("/company")
    failures = []

    def worker(n):
        for i in range(5):
            response = api.call(
                "POST",
                "/invoices",
                json=sales_invoice(originalInvoiceNumber=f"T{n}-{i}"),
            )
            if response.status_code != 200:
                failures.append(response.text)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    invoices = sim.invoices()
    assert failures == [] and len(invoices) == 20
    assert len({invoice["invoiceNumber"] for invoice in invoices}) == 20


def test_loopback_only():
    with pytest.raises(ValueError):
        SimulatorServer(Simulator(seed=False), host="0.0.0.0")


def test_standalone_entry_point():
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [
                os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "procountor_simulator",
            "--port",
            "0",
            "--seed-customers",
            "3",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first_line = process.stdout.readline()
        assert "http://127.0.0.1:" in first_line
        base_url = first_line.split()[-1]
        lines = [process.stdout.readline() for _ in range(4)]
        assert DEFAULT_CREDENTIALS["client_id"] in lines[0]
        assert DEFAULT_CREDENTIALS["api_key"] in lines[2]
        api = Api(base_url)
        customers = api.get("/businesspartners", params={"type": "CUSTOMER"}).json()
        assert (
            customers["meta"]["totalCount"] == 3 + 3
        )  # 3 seeded customers + 3 bulk ones
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_foreign_vat_country_rows_use_that_countrys_rates(sim, api):
    sim.add_vat_percent(25.0, country="SWEDEN", sales=True, purchase=True)
    rows = [dict(sales_invoice()["invoiceRows"][0], vatPercent=25.0)]
    response = api.post("/invoices", json=sales_invoice(invoiceRows=rows))
    assert response.status_code == 400
    assert error_fields(response) == {
        ("invoiceRows[0].vatPercent", "INVALID_VAT_PERCENT")
    }
    create_invoice(api, invoiceRows=rows, vatCountry="SWEDEN")
