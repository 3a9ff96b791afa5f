"""Accepted purchase invoices and their ledger receipts -> plain vendor-bill values.

No Odoo and no I/O here: these functions read the JSON of ``GET /invoices/{ids}``
and ``GET /ledgerreceipts/{ids}`` (API_NOTES §5, §6) and return codes, names,
dates and Decimal amounts; the Odoo side looks up partners, accounts, taxes and
analytic accounts for them.
"""

import hashlib
import json
import mimetypes
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .countries import procountor_country_to_iso

# "Accepted" purchase invoices, i.e. approved for payment or paid (API_NOTES §5).
# Unfinished, received, verified, rejected and invalidated ones are not
# bookkeeping transactions yet (or any more) and are left alone.
ACCEPTED_STATUSES = (
    "APPROVED",
    "PAYMENT_QUEUED",
    "PAYMENT_SENT_TO_BANK",
    "PARTLY_PAID",
    "PAID",
    "MARKED_PAID",
)
PURCHASE_INVOICE = "PURCHASE_INVOICE"

# Reasons a bill cannot be built at all; the Odoo side turns them into sentences.
NO_RECEIPT = "no_receipt"
NO_TOTALS = "no_totals"
NO_ENTRIES = "no_entries"
NO_ACCOUNT = "no_account"

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def dec(value):
    """JSON number (or None) -> Decimal without binary-float noise."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def money(value):
    """Round half up to cents: Procountor's amounts carry two decimals
    (API_NOTES §6)."""
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def sum_infos(invoice):
    """``(document, accounting)`` entries of ``invoiceSumInfo`` (API_NOTES §4.1).

    ``document`` is in the invoice currency; ``accounting`` is the entry in the
    Procountor company's currency, or None when the invoice is in that currency.
    """
    infos = [
        info for info in invoice.get("invoiceSumInfo") or [] if isinstance(info, dict)
    ]
    document = next(
        (info for info in infos if not info.get("inAccountingCurrency")), None
    )
    accounting = next(
        (info for info in infos if info.get("inAccountingCurrency")), None
    )
    if document is None and accounting is not None:
        document, accounting = accounting, None
    if (
        accounting is not None
        and document is not None
        and accounting.get("currency") == document.get("currency")
    ):
        accounting = None
    return document, accounting


def entry_transactions(receipt):
    """The cost rows of a ledger receipt: its ENTRY transactions (API_NOTES §6).

    The REVERSING_ENTRY is the payable row, which Odoo makes itself from the
    supplier; a RECONCILIATION_ENTRY only balances rounding.
    """
    return [
        t
        for t in (receipt or {}).get("transactions") or []
        if isinstance(t, dict) and t.get("transactionType") == "ENTRY"
    ]


def receipt_checksum(receipt):
    """A fingerprint of what a bill is built from: account, amount, VAT and
    dimensions of every ENTRY row, without ids (they change on every rebuild)."""
    rows = []
    for item in entry_transactions(receipt):
        dimensions = sorted(
            (
                str(d.get("dimensionId")),
                str(d.get("itemId")),
                str(money(d.get("value"))),
            )
            for d in item.get("dimensionItemValues") or []
            if isinstance(d, dict)
        )
        rows.append(
            [
                str(item.get("account") or ""),
                str(money(item.get("accountingValue"))),
                str(dec(item.get("vatPercent")).normalize()),
                item.get("vatStatus"),
                dimensions,
            ]
        )
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def allocate(total, weights):
    """Split ``total`` (cents) over ``weights`` in proportion, summing exactly.

    Cumulative rounding: each share is the rounded running total minus the
    previous one, so no share is more than a cent off its exact value and the
    shares always add up to ``total``. Needs ``sum(weights) != 0``.
    """
    total = money(total)
    weights = [dec(w) for w in weights]
    whole = sum(weights, Decimal(0))
    shares, running, previous = [], Decimal(0), Decimal(0)
    for weight in weights:
        running += weight
        current = money(total * running / whole)
        shares.append(current - previous)
        previous = current
    return shares


def entry_sign(receipt, total):
    """+1 when the receipt's cost rows are debit positive, -1 when credit positive.

    API_NOTES §6 gives "debit + / credit -" only as [INFER]. A purchase invoice's
    cost rows are debits, so their sum has the sign of the invoice total under
    the first convention and the opposite sign under the other; when either is
    zero nothing tells them apart and the documented convention stands.
    """
    net = sum(
        (dec(t.get("accountingValue")) for t in entry_transactions(receipt)), Decimal(0)
    )
    total = dec(total)
    if net and total and (net > 0) != (total > 0):
        return -1
    return 1


def transaction_vat_status(transaction, receipt):
    """The VAT status that applies to a transaction: its own, else the receipt's
    (API_NOTES §6: the transaction's ``vatStatus`` overrides the receipt's)."""
    status = transaction.get("vatStatus")
    if status is None or status == "":
        status = (receipt or {}).get("vatStatus")
    return status


# Rounding a row's VAT (or the VAT of a rate's total instead of each row's) moves
# the VAT by less than one cent per row; with prices including VAT, net rounded
# first, at most one cent. A VAT difference of up to a cent per taxed line is
# therefore rounding; anything more is not.
ROUNDING_PER_LINE = CENT


def spread_vat_difference(difference, groups):
    """Put a VAT difference that rounding explains on the bill's tax groups.

    ``difference``: Procountor's VAT minus Odoo's (Decimal, cents). ``groups``:
    ``[(key, taxed_lines, tax_amount)]`` for each tax group of the bill. Each
    group takes at most one cent per taxed line (:data:`ROUNDING_PER_LINE`);
    the groups with the most VAT come first (then by key), so the result is
    deterministic. Returns ``{key: adjustment}`` (non-zero adjustments only),
    or None when the difference is larger than rounding can explain.
    """
    difference = money(difference)
    if not difference:
        return {}
    capacity = sum(
        (ROUNDING_PER_LINE * lines for _key, lines, _amount in groups), Decimal(0)
    )
    if abs(difference) > capacity:
        return None
    direction = 1 if difference > 0 else -1
    left = abs(difference)
    adjustments = {}
    for key, lines, _amount in sorted(
        groups, key=lambda g: (-abs(dec(g[2])), str(g[0]))
    ):
        share = min(left, ROUNDING_PER_LINE * lines)
        if share:
            adjustments[key] = direction * share
            left -= share
        if not left:
            break
    return adjustments


def _date(value):
    return value[:10] if isinstance(value, str) and value else None


def bill_values(invoice, receipt):
    """Plain values of the vendor bill for one purchase invoice and its receipt.

    Amounts are Decimals in the invoice currency, signed for the bill type:
    a negative Procountor total gives ``in_refund`` with positive amounts.
    ``problems`` lists reasons (module constants) that prevent the bill.
    """
    counter_party = invoice.get("counterParty") or {}
    address = counter_party.get("counterPartyAddress") or {}
    payment = invoice.get("paymentInfo") or {}
    document, accounting = sum_infos(invoice)
    entries = entry_transactions(receipt)
    problems = []
    if receipt is None:
        problems.append(NO_RECEIPT)
    elif not entries:
        problems.append(NO_ENTRIES)
    if document is None:
        problems.append(NO_TOTALS)
    if any(not str(item.get("account") or "").strip() for item in entries):
        problems.append(NO_ACCOUNT)

    total = dec((document or {}).get("invoiceSumTotal"))
    if total:
        sign = -1 if total < 0 else 1
    else:
        sign = (
            -1
            if sum((dec(t.get("accountingValue")) for t in entries), Decimal(0)) < 0
            else 1
        )
        # (a zero total gives no direction to read: debit positive is assumed)
    currency = (document or {}).get("currency") or payment.get("currency")
    rate = dec(payment.get("currencyRate")) or Decimal(1)

    # accountingValue is the net amount in the Procountor company's currency
    # (API_NOTES §6), debit positive unless the receipt shows the reverse
    # (entry_sign). In that currency it is the line amount
    # as it is. For a foreign-currency bill only the totals are known in the
    # invoice currency, so the net total is spread over the rows in proportion
    # to their accounting values: the lines then add up to the supplier's
    # total to the cent, which converting each row back with the rate would
    # not guarantee.
    orientation = entry_sign(receipt, total)
    weights = [sign * orientation * dec(t.get("accountingValue")) for t in entries]
    if accounting is None or not entries:
        amounts = [money(w) for w in weights]
    elif sum(weights, Decimal(0)):
        amounts = allocate(sign * dec(document.get("excludingVatTotal")), weights)
    else:
        amounts = [money(w * rate) for w in weights]

    lines = []
    for item, amount in zip(entries, amounts, strict=True):
        value = dec(item.get("accountingValue"))
        dimensions = []
        for split in item.get("dimensionItemValues") or []:
            if not isinstance(split, dict) or not value:
                continue
            dimensions.append(
                {
                    "dimension_id": split.get("dimensionId"),
                    "item_id": split.get("itemId"),
                    # Dimension values are amounts summing to accountingValue per
                    # dimension (API_NOTES §6); Odoo wants percentages.
                    "percent": dec(split.get("value")) * HUNDRED / value,
                }
            )
        lines.append(
            {
                "account": str(item.get("account") or "").strip(),
                "amount": amount,
                "vat_percent": dec(item.get("vatPercent")),
                "vat_status": transaction_vat_status(item, receipt),
                "description": (item.get("description") or "").strip(),
                "dimensions": dimensions,
            }
        )

    return {
        "procountor_id": invoice.get("id"),
        "number": invoice.get("invoiceNumber"),
        "status": invoice.get("status"),
        "supplier": {
            "procountor_id": invoice.get("partnerId"),
            "name": (address.get("name") or "").strip(),
            "identifier": (counter_party.get("identifier") or "").strip(),
            "street": address.get("street"),
            "zip": address.get("zip"),
            "city": address.get("city"),
            "country": address.get("country"),
            # What a new contact is made of (registers.contact_values).
            "contact": {
                "name": (address.get("name") or "").strip(),
                "business_id": (counter_party.get("identifier") or "").strip(),
                "address": {
                    "street": address.get("street"),
                    "zip": address.get("zip"),
                    "city": address.get("city"),
                    "country_code": procountor_country_to_iso(
                        address.get("country") or ""
                    )
                    or None,
                },
            },
        },
        "move_type": "in_refund" if sign < 0 else "in_invoice",
        "date": _date(invoice.get("date")),
        "due_date": _date(payment.get("newDueDate") or payment.get("dueDate")),
        "ref": (invoice.get("originalInvoiceNumber") or "").strip(),
        "payment_reference": (payment.get("bankReferenceCode") or "").strip(),
        "currency": currency,
        "accounting_currency": (accounting or {}).get("currency") or currency,
        "rate": rate,
        "totals": {
            "untaxed": sign * money((document or {}).get("excludingVatTotal")),
            "tax": sign * money((document or {}).get("vatSumTotal")),
            "total": sign * money((document or {}).get("invoiceSumTotal")),
        },
        "lines": lines,
        "receipt_id": (receipt or {}).get("id"),
        "receipt_version": (receipt or {}).get("version"),
        "checksum": receipt_checksum(receipt) if receipt is not None else None,
        "attachments": [
            {
                "id": item.get("id"),
                "name": item.get("name"),
                "mimetype": item.get("mimeType"),
            }
            for item in invoice.get("attachments") or []
            if isinstance(item, dict) and item.get("id")
        ],
        "problems": problems,
    }


# ----------------------------------------------------------------------
# A run: what to list, what to read, what to do with each invoice read
# ----------------------------------------------------------------------
# What Procountor changed in an imported bill's accounting (receipt_change).
NEW_RECEIPT = "new_receipt"
EDITED_RECEIPT = "edited_receipt"


def listing_filters(start_date=None, invoice_version=None, receipt_version=None):
    """``(invoice filters, receipt filters)`` of the two listings of a run.

    Accepted purchase invoices, and purchase-invoice ledger receipts: receipts
    edited on their own do not necessarily touch the invoice's version
    [INFER], and the receipts' status filter takes one value only (API_NOTES
    §6), so they are not filtered by status. ``start_date`` (ISO date) and the
    versions seen by the last run narrow both.
    """
    invoice_filters = {
        "types": PURCHASE_INVOICE,
        "status": ",".join(ACCEPTED_STATUSES),
        "orderById": "ASC",
    }
    receipt_filters = {"types": PURCHASE_INVOICE, "orderById": "ASC"}
    if start_date:
        invoice_filters["startDate"] = receipt_filters["startDate"] = start_date
    if invoice_version:
        invoice_filters["versionStartDate"] = invoice_version
    if receipt_version:
        receipt_filters["versionStartDate"] = receipt_version
    return invoice_filters, receipt_filters


def parse_ids(text):
    """``"12,13"`` -> ``[12, 13]`` (ids stored as text between runs)."""
    return [int(i) for i in (text or "").split(",") if i.strip()]


def ids_text(ids):
    """``[12, 13]`` -> ``"12,13"``; ``""`` for none."""
    return ",".join(str(i) for i in ids)


def row_ids(rows):
    """The ids of listed rows, rows without one left out."""
    return [row.get("id") for row in rows if row.get("id")]


def ids_to_read(invoice_rows, retry_ids=(), receipt_bill_ids=()):
    """The invoice ids a run reads, each once, in this order: the listed
    invoices, those to try again, those whose receipt was listed."""
    ids = [row.get("id") for row in invoice_rows]
    ids += list(retry_ids) + list(receipt_bill_ids)
    return list(dict.fromkeys(i for i in ids if i))


def batches(ids, size):
    """``ids`` in consecutive lists of at most ``size``."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def latest_version(rows):
    """The highest ``version`` of listed rows (ISO timestamps), or None."""
    versions = [row.get("version") for row in rows if row.get("version")]
    return max(versions) if versions else None


def receipt_ids_of(invoices):
    """The ledger receipts to read with a batch of invoices."""
    return [
        inv.get("ledgerReceiptId") for inv in invoices if inv.get("ledgerReceiptId")
    ]


def is_wanted(invoice, start_date=None):
    """Whether an invoice read is one the import takes: an accepted purchase
    invoice dated from ``start_date`` (ISO date) on. Ids to try again or of
    changed receipts may no longer be."""
    return (
        invoice.get("type") == PURCHASE_INVOICE
        and invoice.get("status") in ACCEPTED_STATUSES
        and not (start_date and (invoice.get("date") or "") < start_date)
    )


def plan_batch(invoices, receipts, start_date=None):
    """``[(invoice, receipt)]`` of a batch read, in the order bills are made:
    the wanted invoices by date, then id, each with its receipt (None when
    Procountor returned none). ``receipts``: ``{receipt id: receipt}``."""
    ordered = sorted(invoices, key=lambda inv: (inv.get("date") or "", inv.get("id")))
    return [
        (invoice, receipts.get(invoice.get("ledgerReceiptId")))
        for invoice in ordered
        if is_wanted(invoice, start_date)
    ]


def receipt_change(invoice, receipt, receipt_id, checksum):
    """What Procountor changed since the invoice was imported with receipt
    ``receipt_id`` of fingerprint ``checksum``: :data:`NEW_RECEIPT`,
    :data:`EDITED_RECEIPT` or None (nothing; also when the receipt was not
    returned)."""
    if invoice.get("ledgerReceiptId") != receipt_id:
        return NEW_RECEIPT
    if receipt is not None and receipt_checksum(receipt) != checksum:
        return EDITED_RECEIPT
    return None


def dimension_names(dimensions):
    """``{(dimension id, item id): (dimension name, item name)}`` of
    ``GET /dimensions`` (API_NOTES §6 dimensionItemValues name them by id)."""
    names = {}
    for dimension in dimensions:
        for item in dimension.get("items") or []:
            names[(dimension.get("id"), item.get("id"))] = (
                dimension.get("name") or "",
                item.get("codeName") or "",
            )
    return names


def supplier_key(supplier):
    """What finding the contact of a bill's supplier depends on."""
    return (supplier["procountor_id"], supplier["identifier"], supplier["name"])


def attachment_file(meta, procountor_id):
    """``(name, mimetype)`` of a file of invoice ``procountor_id``."""
    name = meta.get("name") or f"procountor_{procountor_id}"
    mimetype = (
        meta.get("mimeType")
        or mimetypes.guess_type(meta.get("name") or "")[0]
        or "application/octet-stream"
    )
    return name, mimetype


def percent_text(value):
    """25.50 -> '25.5', 14.0 -> '14'."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ----------------------------------------------------------------------
# Checks against Procountor's totals
# ----------------------------------------------------------------------
TOTAL_KEYS = ("untaxed", "tax", "total")


def rounded(value, rounding):
    """``value`` rounded half up to a multiple of ``rounding`` (a currency's
    smallest unit, e.g. 0.01)."""
    step = dec(rounding)
    return (dec(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def same_amount(first, second, rounding):
    """Whether two amounts are equal in a currency of ``rounding``."""
    return rounded(first, rounding) == rounded(second, rounding)


def totals_differ(odoo_totals, totals, rounding):
    """Whether a bill's totals (``untaxed``, ``tax``, ``total``, as computed
    by Odoo) differ from Procountor's ``totals`` (bill_values)."""
    return any(
        not same_amount(odoo_totals[key], totals[key], rounding) for key in TOTAL_KEYS
    )


def vat_difference(odoo_untaxed, odoo_tax, totals, rounding):
    """Procountor's VAT minus Odoo's, when only VAT can be off by rounding:
    0 when the untaxed amounts already differ (the totals check refuses)."""
    if not same_amount(odoo_untaxed, totals["untaxed"], rounding):
        return Decimal(0)
    return totals["tax"] - money(odoo_tax)
