"""Procountor payment events as plain values, and what Odoo should do with each.

No Odoo imports and no I/O except :func:`invoice_payment_events`, which only
goes through a :class:`ProcountorClient`. Section numbers refer to
``shared/procountor/API_NOTES.md``.
"""

# PaymentEvent.type values (§4.7) that settle an invoice without money reaching
# the company: an allocation between two invoices (a credit note used against
# an invoice, §4.6), set-offs, discounts, credit losses, corrections and moves
# to or from a ledger. Every other type is money received.
ALLOCATION_TYPES = frozenset({"INVOICE_TO_INVOICE"})
NO_MONEY_TYPES = ALLOCATION_TYPES | frozenset({
    "ADJUSTMENT",
    "CASHDISCOUNT",
    "COMPENSATIONINVOICE",
    "CORRECTION",
    "CREDITLOSS",
    "INVOICE_TO_JOURNAL",
    "JOURNAL_TO_JOURNAL",
    "SETOFF",
})
CASH_TYPES = frozenset({"CASH"})

KIND_BANK = "bank"
KIND_CASH = "cash"
KIND_ALLOCATION = "allocation"
KIND_NO_MONEY = "no_money"

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
        if (other["id"] in used_ids or other["id"] == event["id"]
                or other.get("invoice_id") == event.get("invoice_id")
                or other.get("kind") != KIND_ALLOCATION
                or other.get("date") != event.get("date")):
            continue
        if round(signed_amount(other) + amount, 2) == 0:
            return other
    return None


def invoice_payment_events(client, invoice_id):
    """All ``PaymentEvent`` rows of one invoice, every page (§4.7, §3.4)."""
    return list(client.paginate(f"/invoices/{int(invoice_id)}/paymentevents"))
