"""The payment planner (procountor_api.payments.plan_invoice): one call per invoice
turns its events and a few Odoo facts into the steps Odoo carries out."""

from procountor_api import payments
from procountor_api.payments import (
    AllocateCreditNote,
    CreatePayment,
    Problem,
    RecordSettlement,
    Skip,
)


def event(
    event_id,
    amount,
    *,
    invoice_id=42,
    type=None,
    paid_amount=None,
    paid_currency=None,
    currency=None,
    date="2026-03-02",
    description=None,
):
    row = {
        "id": event_id,
        "invoiceId": invoice_id,
        "paymentDate": date,
        "amount": amount,
        "type": type,
        "paidAmount": paid_amount,
        "paidCurrency": paid_currency,
        "currency": currency,
        "description": description,
    }
    return payments.normalize_event(row, "EUR")


def plan(events, **facts):
    facts.setdefault("is_invoice", True)
    facts.setdefault("invoice_currency", "EUR")
    facts.setdefault("company_currency", "EUR")
    return payments.plan_invoice(events, **facts)


def test_partial_payment_becomes_one_bank_payment():
    first = event(7, 40.0, type="REFERENCEPAYMENT")
    assert plan([first]) == [CreatePayment(first, "bank", "EUR", 40.0, None)]


def test_overpayment_is_paid_in_full_and_cash_goes_to_the_cash_journal():
    # The planner does not cap an overpayment: the whole amount is recorded,
    # the rest stays a credit of the customer in Odoo.
    bank = event(8, 130.0)
    cash = event(9, 20.0, type="CASH")
    assert plan([cash, bank]) == [
        CreatePayment(bank, "bank", "EUR", 130.0, None),
        CreatePayment(cash, "cash", "EUR", 20.0, None),
    ]


def test_handled_events_and_returned_money_are_skipped_with_their_reason():
    handled = event(10, 50.0)
    returned = event(11, -50.0, paid_amount=-50.0)
    new = event(12, 25.0)
    steps = plan([new, returned, handled], handled_ids={10})
    assert steps == [
        Skip(handled, payments.SKIP_HANDLED),
        Skip(returned, payments.SKIP_NOT_RECEIVED),
        CreatePayment(new, "bank", "EUR", 25.0, None),
    ]
    assert [step.reason for step in steps[:2]] == ["duplicates", "ignored"]


def test_a_credit_note_receives_no_payment():
    money = event(13, 50.0)
    assert plan([money], is_invoice=False) == [Skip(money, payments.SKIP_NOT_RECEIVED)]


def test_foreign_currency_payment_keeps_procountors_conversion():
    usd = event(14, 90.91, paid_amount=100.0, paid_currency="USD", currency="EUR")
    assert plan([usd], invoice_currency="USD", active_currencies={"USD"}) == [
        CreatePayment(usd, "bank", "USD", 100.0, 90.91)
    ]
    # Not active in Odoo: the invoice waits, naming the currency.
    assert plan([usd], invoice_currency="USD") == [
        Problem(usd, payments.PROBLEM_INACTIVE_CURRENCY, "USD")
    ]


def test_books_in_another_currency_and_incomplete_events_are_problems():
    sek_books = event(15, 100.0, currency="SEK")
    undated = event(16, 100.0, date=None)
    assert plan([sek_books, undated]) == [
        Problem(sek_books, payments.PROBLEM_FOREIGN_BOOKS, "SEK"),
        Problem(undated, payments.PROBLEM_INCOMPLETE),
    ]


def test_allocation_pairs_the_credit_notes_event_once():
    first = event(20, 40.0, type="INVOICE_TO_INVOICE")
    second = event(21, 40.0, type="INVOICE_TO_INVOICE")
    credit_side = event(30, -40.0, invoice_id=99, type="INVOICE_TO_INVOICE")
    steps = plan([second, first], other_events=[credit_side])
    # The first allocation takes the credit note's event; the second finds none
    # left and will look at the credit notes made from the invoice.
    assert steps == [
        AllocateCreditNote(first, 40.0, credit_side, 40.0, "EUR"),
        AllocateCreditNote(second, 40.0, None, 40.0, "EUR"),
    ]
    # Paired by an earlier invoice of the run: not offered again.
    assert plan([first], other_events=[credit_side], used_ids={30}) == [
        AllocateCreditNote(first, 40.0, None, 40.0, "EUR")
    ]


def test_allocation_of_unknown_invoice_amount_and_other_settlements_are_noted():
    # Invoice in USD, event only in the company currency: the allocated USD
    # amount cannot be told, so it is noted, not reconciled.
    allocation = event(40, 35.0, type="INVOICE_TO_INVOICE", paid_currency="EUR")
    discount = event(41, 5.0, type="CASHDISCOUNT")
    assert plan([allocation, discount], invoice_currency="USD") == [
        RecordSettlement(allocation, True, 35.0, "EUR"),
        RecordSettlement(discount, False, 5.0, "EUR"),
    ]


def test_plain_invoices_have_only_money_or_nothing():
    assert payments.is_plain([event(50, 10.0), event(51, -3.0, type="CREDITLOSS")])
    assert not payments.is_plain([event(52, 10.0, type="SETOFF")])
