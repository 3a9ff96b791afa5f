"""Readings: facts the connector relies on that API_NOTES marks [INFER] or leaves
unstated.

Each entry names one open question, the plausible answers Procountor might give (the
first is the simulator's default), and what the connector must do to be right under
every one of them. A simulator written next to the client would otherwise answer the
way the client guessed; tests set each reading in turn (``Simulator.set_reading``) and
run the main flows under it, so a guess on one side only shows as a failure.

The table is the project's assumption register: keep it complete when code starts to
depend on a fact the notes do not state. Each entry's ``question`` and ``connector``
texts are its documentation; README.rst and readme/DEVELOP.md show them as a table (a
pure test checks that they stay the same).
"""

from collections import namedtuple

Reading = namedtuple("Reading", "values question connector")

READINGS = {
    "sum_info_single_flag": Reading(
        (False, True),
        "An invoice in the company currency has a single invoiceSumInfo entry (§4.1). "
        "Is its inAccountingCurrency false (it is the document's own total) or true (a "
        "EUR invoice of a EUR company is in the accounting currency)?",
        "Reads the total from the entry whose currency is the invoice's (the only "
        "entry when there is one); the flag only breaks a tie between two entries of "
        "the same currency.",
    ),
    "undocumented_list_shape": Reading(
        ("envelope", "list"),
        "Lists whose answer shape API_NOTES does not give (GET /bankaccounts, and the "
        "bulk GET /payments/paymentevents, declared as PaymentSearchResult without its "
        "envelope): the common {results, meta} envelope (§3.4) or a bare JSON array?",
        "Accepts both everywhere it lists; a bare array that fills a page asks for the "
        "next page and stops at a short page or at a page that repeats rows already "
        "seen.",
    ),
    "payment_bumps_version": Reading(
        (True, False),
        "Does a new payment event change the invoice's version (§4.7 leaves it "
        "unverified)?",
        "Never relies on it: payments are fetched for every open sent invoice by "
        "invoice id, not by versionStartDate.",
    ),
    "partner_identifier_filter": Reading(
        ("exact", "partial"),
        "Does the identifier header filter of GET /businesspartners (§3.4, §7) match "
        "the business ID exactly or as a substring (like the name filter)?",
        "Compares every returned row's identifier with the searched business ID itself "
        "(normalised) and ignores the others.",
    ),
    "sales_rounding": Reading(
        ("row_half_up", "row_half_even", "total_half_up", "total_half_even"),
        "How does Procountor round a sales invoice's totals (§14.7 [INFER])? Per row "
        "(net and VAT of each row to the cent, then summed) or per total (rows summed "
        "per VAT rate, then net and VAT rounded once per rate); ties half-up or "
        "half-even.",
        "Before creating, computes the total under every plausible rounding; when they "
        "all give Odoo's total it sends. When they disagree it sends only if the "
        "rounding the connection has seen Procountor use can give Odoo's total "
        "(refusing before the create otherwise); an unexpected total is invalidated in "
        "Procountor at once, the rounding it revealed is kept on the connection and "
        "the invoice shows the error.",
    ),
    "bulk_event_type": Reading(
        ("present", "absent"),
        "Do the rows of the bulk GET /payments/paymentevents carry type (and currency, "
        "description) like PaymentEvent, or only the PaymentSearchResult fields "
        "(§4.7)?",
        "A row without type that would become a payment is read again from "
        "GET /invoices/{id}/paymentevents, which carries the type.",
    ),
    "token_expires_in": Reading(
        ("present", "absent"),
        "Does the token answer carry expires_in (§2.1 says so from clients' code "
        "only)?",
        "Assumes 3600 s when it is missing; a token refused earlier (401) is fetched "
        "anew and the call sent once more.",
    ),
    "repeated_approve": Reading(
        (403, 200),
        "PUT /invoices/{id}/approve on an invoice already approved (NOT_SENT or SENT): "
        "refused with 403 (§3.5 wrong status) or accepted with 200 and no change?",
        "Approves only an UNFINISHED invoice; after a 403 it reads the invoice again "
        "and goes on when it is already approved; a 200 is taken as approved.",
    ),
    "repeated_send": Reading(
        (200, 403),
        "PUT /invoices/{id}/send on an invoice already SENT: a re-send (200, §4.5) or "
        "refused (403)?",
        "Sends only a NOT_SENT invoice and never resends by itself: a send whose "
        "answer is lost is not retried but leaves the invoice to be checked, and the "
        "next attempt reads the status first; after a 403 it reads the invoice and "
        "goes on when SENT.",
    ),
    "invoice_number_filter": Reading(
        ("exact", "partial"),
        "Does the originalInvoiceNumber filter of GET /invoices (§4.8) match the "
        "number exactly or as a substring (like searchTerm)?",
        "Keeps only the rows whose originalInvoiceNumber and date are the invoice's "
        "own before linking an invoice whose create answer was lost.",
    ),
    "vats_default_country": Reading(
        ("FINLAND", "Finland"),
        "Is vatInformation[].country of GET /vats/default the country enum (FINLAND) "
        "or a display name (Finland)? (§8 [INFER])",
        "Accepts both, comparing case- and separator-insensitively.",
    ),
}

# --- Vendor bills: ledger receipts of purchase invoices (API_NOTES §5, §6) ------------
READINGS.update(
    {
        "ledger_receipt_sign": Reading(
            ("debit_positive", "credit_positive"),
            "Which sign does a ledger transaction's accountingValue give a debit? §6 "
            "marks 'debit + / credit -' as [INFER]; the reverse would make a purchase "
            "invoice's cost rows negative and its payable row positive.",
            "The bill import reads the direction from the receipt itself: cost rows "
            "whose sum has the opposite sign of the invoice total are negated, so the "
            "bill's lines are the same either way (procountor_api/bills.py "
            "entry_sign).",
        ),
        "ledger_reversing_amount": Reading(
            ("net", "gross"),
            "Does the REVERSING_ENTRY (the payable row) carry the net total, so that "
            "the rows sum to 0 as §6 says, or the gross total the supplier is owed?",
            "The bill import never reads the REVERSING_ENTRY's amount: lines come from "
            "the ENTRY rows, totals from invoiceSumInfo.",
        ),
        "ledger_transaction_vat_status": Reading(
            ("own", "inherited"),
            "Does every ENTRY transaction carry its own vatStatus, or only those that "
            "differ from the receipt's (§6: the transaction's status overrides the "
            "receipt's)?",
            "A transaction without vatStatus takes the receipt's; the bill import "
            "chooses the Odoo tax with that status (procountor_api/bills.py "
            "bill_values).",
        ),
        "purchase_vat_rounding": Reading(
            ("per_row", "per_total"),
            "Does Procountor round a purchase invoice's VAT per row, or once per VAT "
            "rate on the rows' total (§14.7: the exact rounding is undocumented)?",
            "The bill import keeps Procountor's VAT total: a difference to Odoo's own "
            "computation of at most one cent per line with VAT is booked on the bill's "
            "tax line as the tax totals widget would; a larger one refuses the bill.",
        ),
    }
)


def defaults():
    """Every reading at its default (first) value."""
    return {name: reading.values[0] for name, reading in READINGS.items()}


def check(name, value):
    """Raise ValueError unless ``value`` is one of the plausible answers to ``name``."""
    if name not in READINGS:
        raise ValueError(
            f"unknown reading {name!r}; known: {', '.join(sorted(READINGS))}"
        )
    if value not in READINGS[name].values:
        raise ValueError(
            f"reading {name!r} takes one of {READINGS[name].values!r}, not {value!r}"
        )


def variants():
    """(name, value) for every non-default answer: what a test runs besides the
    defaults."""
    return [
        (name, value)
        for name, reading in READINGS.items()
        for value in reading.values[1:]
    ]
