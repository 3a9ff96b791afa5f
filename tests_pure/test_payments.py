"""Payment event mapping (procountor_api.payments): shapes, kinds, signs, pairing."""

import datetime

import pytest

from procountor_api import payments


def bulk_row(**overrides):
    """A row shaped like the bulk search's declared PaymentSearchResult (API_NOTES
    §4.7)."""
    row = {
        "id": 5000001,
        "invoiceId": 42,
        "paymentDate": "2026-03-02",
        "amount": 100.0,
        "receiverName": "Buyer Oy",
        "status": "PAID",
        "serviceCharge": 0,
        "paidAmount": 100.0,
        "paidCurrency": "EUR",
    }
    row.update(overrides)
    return row


def test_bulk_row_without_type_currency_or_description():
    event = payments.normalize_event(bulk_row(), "EUR")
    assert event == {
        "id": 5000001,
        "invoice_id": 42,
        "type": None,
        "kind": "bank",
        "date": "2026-03-02",
        "amount": 100.0,
        "currency": "EUR",
        "paid_amount": 100.0,
        "paid_currency": "EUR",
        "description": "",
        "status": "PAID",
    }
    assert payments.needs_detail(event)


def test_full_payment_event_keeps_currencies_and_type():
    event = payments.normalize_event(
        bulk_row(
            type="CASH",
            amount=90.91,
            currency="EUR",
            paidAmount=100,
            paidCurrency="usd",
            description="Till 3",
        ),
        "EUR",
    )
    assert (
        event["kind"],
        event["amount"],
        event["paid_amount"],
        event["paid_currency"],
    ) == ("cash", 90.91, 100.0, "USD")
    assert not payments.needs_detail(event)
    assert payments.memo(event) == "Procountor payment 5000001: Till 3"


@pytest.mark.parametrize(
    "event_type, kind",
    [
        ("REFERENCEPAYMENT", "bank"),
        ("BANKSTATEMENT_TO_INVOICE", "bank"),
        ("JOURNAL_TO_INVOICE", "bank"),
        ("ELSEWHERE", "bank"),
        ("CASH", "cash"),
        ("INVOICE_TO_INVOICE", "allocation"),
        ("CREDITLOSS", "no_money"),
        ("CASHDISCOUNT", "no_money"),
        ("SETOFF", "no_money"),
        (None, "bank"),
    ],
)
def test_kinds(event_type, kind):
    assert payments.event_kind(event_type) == kind


def test_missing_amount_falls_back_to_paid_amount_in_the_same_currency():
    event = payments.normalize_event(bulk_row(amount=None), "EUR")
    assert event["amount"] == 100.0
    foreign = payments.normalize_event(bulk_row(amount=None, paidCurrency="SEK"), "EUR")
    assert foreign["amount"] is None and foreign["paid_amount"] == 100.0


def test_rows_without_ids_are_dropped():
    assert payments.normalize_event(bulk_row(id=None), "EUR") is None
    assert payments.normalize_event(bulk_row(invoiceId="x"), "EUR") is None
    assert payments.normalize_event("nonsense", "EUR") is None


def test_only_positive_events_are_incoming():
    assert payments.is_incoming(payments.normalize_event(bulk_row(amount=0.01), "EUR"))
    returned = payments.normalize_event(bulk_row(amount=-50, paidAmount=-50), "EUR")
    assert not payments.is_incoming(returned)
    # A negative event never needs its type: it is not imported whatever it is.
    assert not payments.needs_detail(returned)
    assert not payments.is_incoming(payments.normalize_event(bulk_row(amount=0), "EUR"))


def test_allocation_counterpart_is_the_opposite_event_of_another_invoice():
    invoice_side = payments.normalize_event(
        bulk_row(id=10, invoiceId=1, type="INVOICE_TO_INVOICE", amount=40), "EUR"
    )
    same_invoice = payments.normalize_event(
        bulk_row(id=11, invoiceId=1, type="INVOICE_TO_INVOICE", amount=-40), "EUR"
    )
    other_date = payments.normalize_event(
        bulk_row(
            id=12,
            invoiceId=2,
            type="INVOICE_TO_INVOICE",
            amount=-40,
            paymentDate="2026-03-03",
        ),
        "EUR",
    )
    money = payments.normalize_event(bulk_row(id=13, invoiceId=2, amount=-40), "EUR")
    credit_side = payments.normalize_event(
        bulk_row(id=14, invoiceId=2, type="INVOICE_TO_INVOICE", amount=-40), "EUR"
    )
    candidates = [same_invoice, other_date, money, credit_side]
    assert payments.find_allocation_counterpart(invoice_side, candidates) == credit_side
    assert payments.find_allocation_counterpart(invoice_side, candidates, {14}) is None
    bank = payments.normalize_event(bulk_row(id=15, invoiceId=1, amount=40), "EUR")
    assert payments.find_allocation_counterpart(bank, candidates) is None


def test_memo_without_description_and_length_cap():
    event = payments.normalize_event(bulk_row(description="x" * 300), "EUR")
    assert len(payments.memo(event)) == payments.MEMO_MAX_LENGTH
    assert payments.memo(payments.normalize_event(bulk_row(), "EUR")) == (
        "Procountor payment 5000001"
    )


def test_client_reads_every_page_of_an_invoices_payment_events(make_client, sim):
    invoice = sim.create_invoice(_sales_invoice())
    for _ in range(3):
        sim.register_payment(invoice["id"], 10.0, type="CASH")

    client = make_client()
    rows = client.invoice_payment_events(invoice["id"])
    assert [row["type"] for row in rows] == ["CASH"] * 3
    assert sim.count("GET", f"/invoices/{invoice['id']}/paymentevents") == 1


def _sales_invoice():
    """A minimal valid SALES_INVOICE (API_NOTES §4.1) of 100.00 without VAT."""
    from procountor_simulator.seed import DEFAULT_IBAN

    today = datetime.date.today().isoformat()
    return {
        "type": "SALES_INVOICE",
        "status": "UNFINISHED",
        "date": today,
        "counterParty": {"counterPartyAddress": {"name": "Buyer Oy"}},
        "paymentInfo": {
            "paymentMethod": "BANK_TRANSFER",
            "currency": "EUR",
            "bankAccount": {"accountNumber": DEFAULT_IBAN},
            "dueDate": today,
            "currencyRate": 1,
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
                "vatPercent": 0,
            }
        ],
        "vatStatus": 1,
        "invoiceChannel": "NO_SENDING",
        "language": "FINNISH",
    }
