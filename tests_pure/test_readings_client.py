"""The client and the payload helpers read Procountor right under every answer the
simulator can give to an open question (procountor_simulator.readings)."""

import datetime
from decimal import Decimal

import pytest

from procountor_api import ProcountorForbiddenError, ProcountorUnknownOutcome, payments
from procountor_api.payloads import (
    ROUNDING_METHODS,
    invoice_total,
    methods_matching,
    parse_methods,
    plausible_totals,
    rounding_decision,
    totals_match,
)
from procountor_simulator.seed import DEFAULT_IBAN

TODAY = datetime.date.today().isoformat()
DUE = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()


def invoice_body(rows, currency="EUR", rate=1, include_vat=False):
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
        "extraInfo": {"accountingByRow": False, "unitPricesIncludeVat": include_vat},
        "discountPercent": 0,
        "invoiceRows": [
            {
                "product": "Row",
                "quantity": quantity,
                "unit": "PIECE",
                "unitPrice": price,
                "discountPercent": discount,
                "vatPercent": vat,
            }
            for quantity, price, vat, discount in rows
        ],
        "vatStatus": 1,
        "invoiceChannel": "NO_SENDING",
        "language": "FINNISH",
    }


# --- invoiceSumInfo -------------------------------------------------------------------


@pytest.mark.parametrize("flag", [False, True])
def test_total_of_a_company_currency_invoice_whatever_its_flag(sim, client, flag):
    sim.set_reading("sum_info_single_flag", flag)
    created = client.create_invoice(invoice_body([(2, 100, 25.5, 0)]))
    assert invoice_total(created) == 251.0
    assert totals_match(created, 251.0)
    assert not totals_match(created, 251.01)


@pytest.mark.parametrize("flag", [False, True])
def test_total_of_a_foreign_currency_invoice_is_the_invoice_currency_one(
    sim, client, flag
):
    sim.set_reading("sum_info_single_flag", flag)
    created = client.create_invoice(
        invoice_body([(2, 100, 25.5, 0)], currency="USD", rate=2)
    )
    assert invoice_total(created) == 251.0, "the USD entry, not the EUR one (125.50)"


def test_total_by_currency_even_when_both_entries_claim_the_same_flag():
    remote = {
        "paymentInfo": {"currency": "USD"},
        "invoiceSumInfo": [
            {
                "currency": "EUR",
                "inAccountingCurrency": False,
                "invoiceSumTotal": 125.5,
            },
            {
                "currency": "USD",
                "inAccountingCurrency": False,
                "invoiceSumTotal": 251.0,
            },
        ],
    }
    assert invoice_total(remote) == 251.0
    assert (
        invoice_total({"paymentInfo": {"currency": "EUR"}, "invoiceSumInfo": []})
        is None
    )


# --- list shapes ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["envelope", "list"])
def test_bank_accounts_and_bulk_events_under_both_list_shapes(sim, client, shape):
    sim.set_reading("undocumented_list_shape", shape)
    assert [a["iban"] for a in client.get_bank_accounts()] == [DEFAULT_IBAN]
    invoice = sim.create_invoice(invoice_body([(1, 100, 0, 0)]))
    sim.set_invoice_status(invoice["id"], "SENT")
    sim.register_payment(invoice["id"], 30)
    sim.register_payment(invoice["id"], 20)
    rows = list(client.payment_events([invoice["id"]]))
    assert sorted(row["amount"] for row in rows) == [20, 30]


def test_a_bare_list_is_read_page_by_page(sim, client):
    sim.set_reading("undocumented_list_shape", "list")
    for index in range(4):
        sim.add_bank_account(f"FI00TEST{index}")
    rows = list(client.paginate("/bankaccounts", size=2))
    assert len(rows) == 5 and len({row["id"] for row in rows}) == 5
    assert sim.count("GET", "/bankaccounts") == 3


def test_a_bare_list_that_ignores_page_is_read_once(sim, client):
    sim.set_reading("undocumented_list_shape", "list")
    sim.add_bank_account("FI00TEST1")
    # Every page answers the same full list: the second page only repeats rows.
    sim.fail_next(
        "GET",
        "/bankaccounts",
        status=200,
        count=5,
        body=[{"id": 1, "iban": "A"}, {"id": 2, "iban": "B"}],
    )
    rows = list(client.paginate("/bankaccounts", size=2))
    assert [row["id"] for row in rows] == [1, 2]
    assert sim.count("GET", "/bankaccounts") == 2


# --- bulk payment rows without type ---------------------------------------------------


@pytest.mark.parametrize("presence", ["present", "absent"])
def test_bulk_event_rows_with_or_without_type(sim, client, presence):
    sim.set_reading("bulk_event_type", presence)
    invoice = sim.create_invoice(invoice_body([(1, 100, 0, 0)]))
    sim.set_invoice_status(invoice["id"], "SENT")
    sim.register_payment(invoice["id"], 100, type="INVOICE_TO_INVOICE")
    row = next(iter(client.payment_events([invoice["id"]])))
    event = payments.normalize_event(row, "EUR")
    assert event["amount"] == 100 and event["currency"] == "EUR"
    # Without the type the allocation could pass for a bank payment: read it again.
    assert payments.needs_detail(event) is (presence == "absent")
    detail = payments.normalize_event(
        client.invoice_payment_events(invoice["id"])[0], "EUR"
    )
    assert detail["kind"] == payments.KIND_ALLOCATION


# --- token lifetime -------------------------------------------------------------------


@pytest.mark.parametrize("presence", ["present", "absent"])
def test_token_lifetime_with_or_without_expires_in(sim, client, clock, presence):
    sim.set_reading("token_expires_in", presence)
    client.get_company()
    clock.advance(3000)
    client.get_company()
    assert sim.token_requests == 1, "an hour's token is kept"
    clock.advance(600)
    client.get_company()
    assert sim.token_requests == 2, "and renewed before it runs out"


def test_a_shorter_token_than_assumed_is_renewed_on_its_401(sim, client, clock):
    sim.set_reading("token_expires_in", "absent")
    client.get_company()
    sim.expire_tokens()
    assert client.get_company()["id"]
    assert sim.token_requests == 2


# --- repeated approve and send --------------------------------------------------------


@pytest.mark.parametrize("answer", [403, 200])
def test_repeated_approve(sim, client, answer):
    sim.set_reading("repeated_approve", answer)
    created = client.create_invoice(invoice_body([(1, 100, 0, 0)]))
    client.approve_invoice(created["id"])
    if answer == 403:
        with pytest.raises(ProcountorForbiddenError):
            client.approve_invoice(created["id"])
    else:
        client.approve_invoice(created["id"])
    assert client.get_invoices([created["id"]])[0]["status"] == "NOT_SENT"


@pytest.mark.parametrize("answer", [200, 403])
def test_a_send_whose_answer_is_lost_is_not_sent_again(sim, client, answer):
    sim.set_reading("repeated_send", answer)
    created = client.create_invoice(invoice_body([(1, 100, 0, 0)]))
    client.approve_invoice(created["id"])
    sim.lose_response_next("PUT", "/invoices/*/send")
    with pytest.raises(ProcountorUnknownOutcome):
        client.send_invoice(created["id"])
    assert sim.count("PUT", "/invoices/*/send") == 1, "a re-send would deliver it twice"
    assert client.get_invoices([created["id"]])[0]["status"] == "SENT"


# --- rounding of totals ---------------------------------------------------------------

TWO_ROWS = [(1, 10.10, 25.5, 0), (1, 10.10, 25.5, 0)]  # VAT 2.5755 per row
TIE = [(1, 3.00, 25.5, 0)]  # VAT exactly 0.765


def test_plausible_totals():
    two = {
        method: total
        for method, (_, _, total) in plausible_totals(invoice_body(TWO_ROWS)).items()
    }
    assert two == {
        "row_half_up": Decimal("25.36"),
        "row_half_even": Decimal("25.36"),
        "total_half_up": Decimal("25.35"),
        "total_half_even": Decimal("25.35"),
    }
    tie = {
        method: total
        for method, (_, _, total) in plausible_totals(invoice_body(TIE)).items()
    }
    assert tie["row_half_up"] == tie["total_half_up"] == Decimal("3.77")
    assert tie["row_half_even"] == tie["total_half_even"] == Decimal("3.76")


@pytest.mark.parametrize("rounding", ROUNDING_METHODS)
@pytest.mark.parametrize(
    "rows, include_vat",
    [
        (TWO_ROWS, False),
        (TIE, False),
        ([(3, 33.333, 14, 10), (7, 1.15, 25.5, 0), (2, 4.99, 25.5, 5)], False),
        ([(3, 12.55, 25.5, 0), (1, 0.35, 25.5, 0), (2, 7.77, 14, 0)], True),
    ],
)
def test_the_connector_foresees_what_the_simulator_computes(
    sim, client, rounding, rows, include_vat
):
    sim.set_reading("sales_rounding", rounding)
    body = invoice_body(rows, include_vat=include_vat)
    created = client.create_invoice(body)
    assert rounding in methods_matching(body, invoice_total(created))
    assert plausible_totals(body)[rounding][2] == Decimal(str(invoice_total(created)))


def test_rounding_decision():
    body = invoice_body(TWO_ROWS)
    assert rounding_decision(body, 25.36) == (
        True,
        [Decimal("25.35"), Decimal("25.36")],
    )
    assert rounding_decision(body, 25.37)[0] is False, (
        "no rounding gives it: never create"
    )
    per_total = parse_methods("total_half_up total_half_even")
    assert rounding_decision(body, 25.36, per_total) == (False, [Decimal("25.35")])
    assert rounding_decision(body, 25.35, per_total)[0] is True
    assert parse_methods("") == ROUNDING_METHODS
    assert parse_methods("nonsense") == ROUNDING_METHODS
