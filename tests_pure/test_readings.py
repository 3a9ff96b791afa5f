"""The simulator's switches for facts API_NOTES leaves open."""

import datetime
import os

import pytest
import requests

from procountor_simulator import DEFAULT_CREDENTIALS, Simulator, readings
from procountor_simulator.readings import READINGS, Reading
from procountor_simulator.seed import DEFAULT_IBAN


@pytest.fixture
def registered():
    READINGS["sample_question"] = Reading(
        (False, True), "a question", "what the connector does"
    )
    yield
    del READINGS["sample_question"]


def test_a_reading_is_set_until_reset(registered):
    sim = Simulator(seed=False)
    assert sim.reading("sample_question") is False
    sim.set_reading("sample_question", True)
    assert sim.reading("sample_question") is True
    sim.reset()
    assert sim.reading("sample_question") is False


def test_an_implausible_answer_is_refused(registered):
    sim = Simulator(seed=False)
    with pytest.raises(ValueError, match="takes one of"):
        sim.set_reading("sample_question", "maybe")
    with pytest.raises(ValueError, match="unknown reading"):
        sim.set_reading("no_such_question", True)


def test_variants_list_every_non_default_answer(registered):
    assert ("sample_question", True) in readings.variants()
    assert ("sample_question", False) not in readings.variants()


# --- the simulator answers each registered question every plausible way ---------------

TODAY = datetime.date.today().isoformat()
DUE = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()


def test_every_reading_documents_its_question_and_the_connectors_answer():
    for name, reading in READINGS.items():
        assert len(reading.values) >= 2, name
        assert len(set(reading.values)) == len(reading.values), name
        assert reading.question.strip() and reading.connector.strip(), name


def token_answer(server):
    response = requests.post(
        server.base_url + "/oauth/token",
        timeout=5,
        data=dict(grant_type="client_credentials", **DEFAULT_CREDENTIALS),
    )
    assert response.status_code == 200
    return response.json()


def call(server, method, path, **kwargs):
    token = token_answer(server)["access_token"]
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return requests.request(
        method, server.base_url + path, headers=headers, timeout=5, **kwargs
    )


def invoice_body(rows, currency="EUR", rate=1):
    return {
        "type": "SALES_INVOICE",
        "status": "UNFINISHED",
        "date": TODAY,
        "counterParty": {"counterPartyAddress": {"name": "Buyer Oy"}},
        "paymentInfo": {
            "paymentMethod": "BANK_TRANSFER",
            "currency": currency,
            "bankAccount": {"accountNumber": DEFAULT_IBAN},
            "dueDate": DUE,
            "currencyRate": rate,
        },
        "extraInfo": {"accountingByRow": False, "unitPricesIncludeVat": False},
        "discountPercent": 0,
        "invoiceRows": [
            {
                "product": "Row",
                "quantity": quantity,
                "unit": "PIECE",
                "unitPrice": price,
                "discountPercent": 0,
                "vatPercent": vat,
            }
            for quantity, price, vat in rows
        ],
        "vatStatus": 1,
        "invoiceChannel": "NO_SENDING",
        "language": "FINNISH",
    }


@pytest.mark.parametrize("flag", [False, True])
def test_single_sum_info_entry_flag(sim, flag):
    sim.set_reading("sum_info_single_flag", flag)
    invoice = sim.create_invoice(invoice_body([(1, 100, 25.5)]))
    assert invoice["invoiceSumInfo"] == [
        {
            "currency": "EUR",
            "inAccountingCurrency": flag,
            "excludingVatTotal": 100.0,
            "vatSumTotal": 25.5,
            "invoiceSumTotal": 125.5,
        }
    ]
    foreign = sim.create_invoice(invoice_body([(1, 100, 25.5)], currency="USD", rate=2))
    assert [
        (i["currency"], i["inAccountingCurrency"]) for i in foreign["invoiceSumInfo"]
    ] == [("USD", False), ("EUR", True)], "two entries: the flag tells them apart"


@pytest.mark.parametrize(
    "rounding, net, vat",
    [
        # Two rows of 10.10 at 25.5 %: VAT 2.5755 each (per row 2.58 + 2.58), 5.151 on
        # the total; one row of 3.00: VAT exactly 0.765, a tie.
        ("row_half_up", 20.20 + 3.00, 5.16 + 0.77),
        ("row_half_even", 20.20 + 3.00, 5.16 + 0.76),
        ("total_half_up", 20.20 + 3.00, 5.15 + 0.77),
        ("total_half_even", 20.20 + 3.00, 5.15 + 0.76),
    ],
)
def test_sales_rounding(sim, rounding, net, vat):
    sim.set_reading("sales_rounding", rounding)
    first = sim.create_invoice(invoice_body([(1, 10.10, 25.5), (1, 10.10, 25.5)]))
    second = sim.create_invoice(invoice_body([(1, 3.00, 25.5)]))
    totals = [first["invoiceSumInfo"][0], second["invoiceSumInfo"][0]]
    assert round(sum(t["excludingVatTotal"] for t in totals), 2) == round(net, 2)
    assert round(sum(t["vatSumTotal"] for t in totals), 2) == round(vat, 2)


@pytest.mark.parametrize("shape", ["envelope", "list"])
def test_undocumented_list_shapes(sim, server, shape):
    sim.set_reading("undocumented_list_shape", shape)
    invoice = sim.create_invoice(invoice_body([(1, 100, 0)]))
    sim.set_invoice_status(invoice["id"], "SENT")
    sim.register_payment(invoice["id"], 40)
    accounts = call(server, "GET", "/bankaccounts").json()
    events = call(
        server,
        "GET",
        "/payments/paymentevents",
        params={"invoiceId": str(invoice["id"])},
    ).json()
    if shape == "list":
        assert isinstance(accounts, list) and isinstance(events, list)
        assert accounts[0]["iban"] == DEFAULT_IBAN
        assert [row["amount"] for row in events] == [40]
    else:
        assert accounts["results"][0]["iban"] == DEFAULT_IBAN
        assert [row["amount"] for row in events["results"]] == [40]
        assert events["meta"]["totalCount"] == 1
    # Documented envelopes stay envelopes under either answer (§3.4, §4.7).
    own = call(server, "GET", f"/invoices/{invoice['id']}/paymentevents").json()
    assert [row["amount"] for row in own["results"]] == [40]


def test_bare_list_still_pages(sim, server):
    sim.set_reading("undocumented_list_shape", "list")
    for index in range(3):
        sim.add_bank_account(f"FI00TEST{index}")
    first = call(server, "GET", "/bankaccounts", params={"size": 2, "page": 0}).json()
    second = call(server, "GET", "/bankaccounts", params={"size": 2, "page": 1}).json()
    assert len(first) == 2 and len(second) == 2
    assert not {row["id"] for row in first} & {row["id"] for row in second}


@pytest.mark.parametrize("bumps", [True, False])
def test_payment_and_invoice_version(sim, bumps):
    sim.set_reading("payment_bumps_version", bumps)
    invoice = sim.create_invoice(invoice_body([(1, 100, 0)]))
    sim.set_invoice_status(invoice["id"], "SENT")
    before = sim.invoices(id=invoice["id"])[0]["version"]
    sim.register_payment(invoice["id"], 40)
    after = sim.invoices(id=invoice["id"])[0]
    assert after["status"] == "PARTLY_PAID"
    assert (after["version"] != before) is bumps


@pytest.mark.parametrize(
    "matching, found",
    [("exact", ["2345678-2"]), ("partial", ["2345678-2", "12345678-9"])],
)
def test_partner_identifier_filter(sim, server, matching, found):
    sim.set_reading("partner_identifier_filter", matching)
    sim.add_partner("Exact Oy", identifier="2345678-2")
    sim.add_partner("Longer Oy", identifier="12345678-9")
    sim.add_partner("Other Oy", identifier="7654321-0")
    rows = call(
        server, "GET", "/businesspartners", headers={"identifier": "2345678"}
    ).json()
    exact = call(
        server, "GET", "/businesspartners", headers={"identifier": "2345678-2"}
    ).json()
    if matching == "exact":
        assert rows["results"] == [], "a part of an identifier finds nothing"
    else:
        assert sorted(
            r["invoicingInfo"]["identifier"] for r in rows["results"]
        ) == sorted(found)
    assert [r["invoicingInfo"]["identifier"] for r in exact["results"]] == ["2345678-2"]


@pytest.mark.parametrize("presence", ["present", "absent"])
def test_bulk_event_rows_type(sim, server, presence):
    sim.set_reading("bulk_event_type", presence)
    invoice = sim.create_invoice(invoice_body([(1, 100, 0)]))
    sim.set_invoice_status(invoice["id"], "SENT")
    sim.register_payment(invoice["id"], 100, type="CASH")
    rows = call(
        server,
        "GET",
        "/payments/paymentevents",
        params={"invoiceId": str(invoice["id"])},
    ).json()["results"]
    assert rows[0]["amount"] == 100 and rows[0]["invoiceId"] == invoice["id"]
    assert ("type" in rows[0]) is (presence == "present")
    if presence == "present":
        assert rows[0]["type"] == "CASH"
    own = call(server, "GET", f"/invoices/{invoice['id']}/paymentevents").json()[
        "results"
    ]
    assert own[0]["type"] == "CASH", "the invoice's own events always carry the type"


@pytest.mark.parametrize("presence", ["present", "absent"])
def test_token_expires_in(sim, server, presence):
    sim.set_reading("token_expires_in", presence)
    answer = token_answer(server)
    assert answer["access_token"]
    if presence == "present":
        assert answer["expires_in"] == 3600
    else:
        assert "expires_in" not in answer


@pytest.mark.parametrize("answer", [403, 200])
def test_repeated_approve(sim, server, answer):
    sim.set_reading("repeated_approve", answer)
    invoice = sim.create_invoice(invoice_body([(1, 100, 0)]))
    assert (
        call(server, "PUT", f"/invoices/{invoice['id']}/approve", json={}).status_code
        == 200
    )
    again = call(server, "PUT", f"/invoices/{invoice['id']}/approve", json={})
    assert again.status_code == answer
    assert sim.invoices(id=invoice["id"])[0]["status"] == "NOT_SENT"


@pytest.mark.parametrize("answer", [200, 403])
def test_repeated_send(sim, server, answer):
    sim.set_reading("repeated_send", answer)
    invoice = sim.create_invoice(invoice_body([(1, 100, 0)]))
    sim.set_invoice_status(invoice["id"], "NOT_SENT")
    assert call(server, "PUT", f"/invoices/{invoice['id']}/send").status_code == 200
    again = call(server, "PUT", f"/invoices/{invoice['id']}/send")
    assert again.status_code == answer
    assert sim.invoices(id=invoice["id"])[0]["status"] == "SENT"


@pytest.mark.parametrize("country", ["FINLAND", "Finland"])
def test_vats_default_country(sim, server, country):
    sim.set_reading("vats_default_country", country)
    blocks = call(server, "GET", "/vats/default").json()["vatInformation"]
    assert [block["country"] for block in blocks] == [country]


def test_the_register_is_documented_in_the_readme_and_its_fragment():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def text(*parts):
        with open(os.path.join(root, *parts), encoding="utf-8") as handle:
            return " ".join(handle.read().split())

    readme, fragment = text("README.rst"), text("readme", "DEVELOP.md")
    for name, reading in READINGS.items():
        assert f"``{name}``" in readme, name
        assert f"`{name}`" in fragment, name
        for sentence in (reading.question, reading.connector):
            assert " ".join(sentence.split()) in readme, name
            assert " ".join(sentence.split()) in fragment, name


@pytest.mark.parametrize("matching", ["exact", "partial"])
def test_invoice_number_filter(sim, server, matching):
    sim.set_reading("invoice_number_filter", matching)
    for number in ("INV/2026/00001", "INV/2026/00001-B", "INV/2026/00002"):
        sim.create_invoice(
            dict(invoice_body([(1, 100, 0)]), originalInvoiceNumber=number)
        )
    rows = call(
        server, "GET", "/invoices", params={"originalInvoiceNumber": "INV/2026/00001"}
    ).json()["results"]
    expected = (
        ["INV/2026/00001"]
        if matching == "exact"
        else ["INV/2026/00001", "INV/2026/00001-B"]
    )
    assert sorted(row["originalInvoiceNumber"] for row in rows) == expected
