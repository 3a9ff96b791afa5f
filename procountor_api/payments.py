"""Procountor payment events as plain values, and what Odoo should do with each.

No Odoo imports and no I/O: the client reads the events, :func:`plan_invoice`
turns one invoice's events and the few Odoo facts they depend on into a list
of steps, and the Odoo layer carries the steps out. Section numbers refer to
``shared/procountor/API_NOTES.md``.
"""

from dataclasses import dataclass

# PaymentEvent.type values (§4.7) that settle an invoice without money reaching
# the company: an allocation between two invoices (a credit note used against
# an invoice, §4.6), set-offs, discounts, credit losses, corrections and moves
# to or from a ledger. Every other type is money received.
ALLOCATION_TYPES = frozenset({"INVOICE_TO_INVOICE"})
NO_MONEY_TYPES = ALLOCATION_TYPES | frozenset(
    {
        "ADJUSTMENT",
        "CASHDISCOUNT",
        "COMPENSATIONINVOICE",
        "CORRECTION",
        "CREDITLOSS",
        "INVOICE_TO_JOURNAL",
        "JOURNAL_TO_JOURNAL",
        "SETOFF",
    }
)
CASH_TYPES = frozenset({"CASH"})

KIND_BANK = "bank"
KIND_CASH = "cash"
KIND_ALLOCATION = "allocation"
KIND_NO_MONEY = "no_money"
# Kinds of events that become Odoo payments.
MONEY_KINDS = (KIND_BANK, KIND_CASH)

# Memo length: Procountor descriptions are at most 140 characters (§4.7), the
# prefix adds the event id.
MEMO_MAX_LENGTH = 200


def event_kind(event_type):
    """``bank``, ``cash``, ``allocation`` or ``no_money`` for a PaymentEvent.type.

    A missing type counts as ``bank``: the bulk search's declared row shape has
    no ``type`` (§4.7); callers that need certainty read the invoice's own
    events first (see :func:`needs_detail`).
    """
    if event_type in CASH_TYPES:
        return KIND_CASH
    if event_type in ALLOCATION_TYPES:
        return KIND_ALLOCATION
    if event_type in NO_MONEY_TYPES:
        return KIND_NO_MONEY
    return KIND_BANK


def _number(value):
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value):
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def normalize_event(row, company_currency):
    """One payment event row -> a plain dict, or None when it has no id or invoice id.

    Accepts both shapes Procountor documents (§4.7): ``PaymentEvent`` of
    ``GET /invoices/{id}/paymentevents`` and the bulk ``PaymentSearchResult``
    row, which may lack ``type``, ``currency`` and ``description``. ``amount``
    is in the company (accounting) currency; ``paid_amount`` in ``paid_currency``,
    the currency actually paid. Missing currencies default to the company's,
    a missing paid amount to ``amount``.

    Keys: ``id``, ``invoice_id``, ``type`` (None when absent), ``kind``,
    ``date`` (``yyyy-MM-dd`` or None), ``amount``, ``currency``, ``paid_amount``,
    ``paid_currency``, ``description``, ``status``.
    """
    if not isinstance(row, dict):
        return None
    try:
        event_id = int(row.get("id"))
        invoice_id = int(row.get("invoiceId"))
    except (TypeError, ValueError):
        return None
    event_type = _text(row.get("type"))
    amount = _number(row.get("amount"))
    paid_amount = _number(row.get("paidAmount"))
    currency = (_text(row.get("currency")) or company_currency or "").upper() or None
    paid_currency = (_text(row.get("paidCurrency")) or currency or "").upper() or None
    if amount is None:
        amount = paid_amount if paid_currency == currency else None
    if paid_amount is None:
        paid_amount = amount
    return {
        "id": event_id,
        "invoice_id": invoice_id,
        "type": event_type,
        "kind": event_kind(event_type),
        "date": (_text(row.get("paymentDate")) or "")[:10] or None,
        "amount": amount,
        "currency": currency,
        "paid_amount": paid_amount,
        "paid_currency": paid_currency,
        "description": _text(row.get("description")) or "",
        "status": _text(row.get("status")),
    }


def signed_amount(event):
    """The event's amount for sign decisions: company currency, else paid currency."""
    if event.get("amount") is not None:
        return event["amount"]
    return event.get("paid_amount") or 0.0


def is_incoming(event):
    """Only positive events are money in (or value) for the invoice; negative ones
    are returned payments or the credit-note side of an allocation."""
    return signed_amount(event) > 0


def needs_detail(event):
    """True when the event's type is unknown and it could become an Odoo record.

    The bulk row shape lacks ``type`` [SPEC, §4.7]; without it a credit-note
    allocation would look like a bank payment. Such events are read again from
    ``GET /invoices/{id}/paymentevents``, which carries the type.
    """
    return event.get("type") is None and is_incoming(event)


def memo(event):
    """Payment memo: the Procountor event id, then its description when there is one."""
    text = f"Procountor payment {event['id']}"
    if event.get("description"):
        text = f"{text}: {event['description']}"
    return text[:MEMO_MAX_LENGTH]


def find_allocation_counterpart(event, candidates, used_ids=()):
    """The credit-note side of an invoice-to-invoice allocation, or None.

    ``event`` is the positive INVOICE_TO_INVOICE event of an invoice;
    ``candidates`` are events of other invoices. The counterpart is a negative
    INVOICE_TO_INVOICE event of the same date whose amount cancels this one
    [INFER: the API gives no explicit link between the two, §4.6]. Events in
    ``used_ids`` are already paired with something else.
    """
    if event.get("kind") != KIND_ALLOCATION:
        return None
    amount = signed_amount(event)
    for other in sorted(candidates, key=lambda item: item["id"]):
        if (
            other["id"] in used_ids
            or other["id"] == event["id"]
            or other.get("invoice_id") == event.get("invoice_id")
            or other.get("kind") != KIND_ALLOCATION
            or other.get("date") != event.get("date")
        ):
            continue
        if round(signed_amount(other) + amount, 2) == 0:
            return other
    return None


def is_plain(events):
    """True when none of ``events`` settles the invoice without money.

    Such invoices only get payments (or nothing), so they can be recorded
    together with others; the rest are recorded one invoice at a time.
    """
    return all(
        event["kind"] in MONEY_KINDS or not is_incoming(event) for event in events
    )


# Why a step records nothing; also the name of the run counter it adds to.
SKIP_HANDLED = "duplicates"
SKIP_NOT_RECEIVED = "ignored"
# Why an event cannot be recorded at all (the whole invoice waits).
PROBLEM_FOREIGN_BOOKS = "foreign_books"
PROBLEM_INACTIVE_CURRENCY = "inactive_currency"
PROBLEM_INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class CreatePayment:
    """Money received: one inbound payment reconciled with the invoice."""

    event: dict
    journal: str  # KIND_BANK or KIND_CASH
    currency: str  # the currency actually paid
    amount: float  # in ``currency``
    company_amount: (
        float | None
    )  # Procountor's conversion when paid in another currency


@dataclass(frozen=True)
class AllocateCreditNote:
    """A credit note used against the invoice (§4.6): reconcile the two when
    they fit, else note it. ``counterpart`` is the credit note's own event, or
    None when Procountor's events do not tell which credit note it was."""

    event: dict
    amount: float  # in the invoice currency
    counterpart: dict | None
    shown_amount: float
    shown_currency: str


@dataclass(frozen=True)
class RecordSettlement:
    """Settled without money in a way Odoo cannot mirror: remember and note it.
    ``allocation`` is True for a credit note whose amount cannot be told in
    the invoice currency."""

    event: dict
    allocation: bool
    shown_amount: float
    shown_currency: str


@dataclass(frozen=True)
class Skip:
    """Nothing to record; ``reason`` is SKIP_HANDLED or SKIP_NOT_RECEIVED."""

    event: dict
    reason: str


@dataclass(frozen=True)
class Problem:
    """The event cannot be recorded: ``reason`` is one of the PROBLEM_* values,
    ``currency`` the currency concerned (if any)."""

    event: dict
    reason: str
    currency: str | None = None


def invoice_amount(event, invoice_currency, company_currency):
    """The event's amount in the invoice currency, or None when it cannot be told."""
    if event["paid_currency"] == invoice_currency and event["paid_amount"]:
        return event["paid_amount"]
    if invoice_currency == company_currency and event["amount"]:
        return event["amount"]
    return None


def shown_amount(event, invoice_currency, company_currency):
    """``(amount, currency)`` to name the event to a user: what was paid when it
    is in the invoice currency, else the company-currency amount."""
    if event["paid_currency"] == invoice_currency and event["paid_amount"]:
        return event["paid_amount"], invoice_currency
    return event["amount"] or 0.0, company_currency


def plan_invoice(
    events,
    *,
    is_invoice,
    invoice_currency,
    company_currency,
    handled_ids=(),
    other_events=(),
    used_ids=(),
    active_currencies=(),
):
    """The steps that record one invoice's payment events, in event order.

    ``events`` are the invoice's normalised events; ``is_invoice`` is False for
    a credit note (only invoices receive payments); ``handled_ids`` are event
    ids Odoo has recorded already; ``other_events`` are events of other
    invoices that may be the credit-note side of an allocation, ``used_ids``
    those already paired; ``active_currencies`` the currency codes Odoo can
    book a payment in besides the company currency.
    """
    steps = []
    paired = set(used_ids)
    for event in sorted(events, key=lambda item: item["id"]):
        if event["id"] in handled_ids:
            steps.append(Skip(event, SKIP_HANDLED))
        elif not is_incoming(event) or not is_invoice:
            # Returned payments, refunds and the credit-note side of an
            # allocation are not imported.
            steps.append(Skip(event, SKIP_NOT_RECEIVED))
        elif event["kind"] == KIND_ALLOCATION:
            steps.append(
                _allocation_step(
                    event, invoice_currency, company_currency, other_events, paired
                )
            )
        elif event["kind"] == KIND_NO_MONEY:
            steps.append(
                RecordSettlement(
                    event,
                    False,
                    *shown_amount(event, invoice_currency, company_currency),
                )
            )
        else:
            steps.append(_payment_step(event, company_currency, active_currencies))
    return steps


def _allocation_step(event, invoice_currency, company_currency, other_events, paired):
    shown = shown_amount(event, invoice_currency, company_currency)
    amount = invoice_amount(event, invoice_currency, company_currency)
    if amount is None:
        return RecordSettlement(event, True, *shown)
    counterpart = find_allocation_counterpart(event, other_events, paired)
    if counterpart:
        paired.add(counterpart["id"])
    return AllocateCreditNote(event, amount, counterpart, *shown)


def _payment_step(event, company_currency, active_currencies):
    if event["currency"] and event["currency"] != company_currency:
        return Problem(event, PROBLEM_FOREIGN_BOOKS, event["currency"])
    currency = event["paid_currency"] or company_currency
    if currency != company_currency and currency not in active_currencies:
        return Problem(event, PROBLEM_INACTIVE_CURRENCY, currency)
    if not event["date"] or not event["paid_amount"]:
        return Problem(event, PROBLEM_INCOMPLETE)
    company_amount = None
    if currency != company_currency and event["amount"]:
        company_amount = abs(event["amount"])
    return CreatePayment(
        event,
        KIND_CASH if event["kind"] == KIND_CASH else KIND_BANK,
        currency,
        event["paid_amount"],
        company_amount,
    )
