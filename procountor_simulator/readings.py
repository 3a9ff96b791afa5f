"""Readings: facts the connector relies on that API_NOTES marks [INFER] or leaves unstated.

Each entry names one open question, the plausible answers Procountor might give (the
first is the simulator's default), and what the connector must do to be right under
every one of them. A simulator written next to the client would otherwise answer the
way the client guessed; tests set each reading in turn (``Simulator.set_reading``) and
run the main flows under it, so a guess on one side only shows as a failure.

The table is the project's assumption register: keep it complete when code starts to
depend on a fact the notes do not state.
"""

from collections import namedtuple

Reading = namedtuple("Reading", "values question connector")

READINGS = {}

# --- Vendor bills: ledger receipts of purchase invoices (API_NOTES §5, §6) -------------
READINGS.update({
    "ledger_receipt_sign": Reading(
        ("debit_positive", "credit_positive"),
        "Which sign does a ledger transaction's accountingValue give a debit? §6 marks "
        "'debit + / credit -' as [INFER]; the reverse would make a purchase invoice's cost "
        "rows negative and its payable row positive.",
        "The bill import reads the direction from the receipt itself: cost rows whose sum "
        "has the opposite sign of the invoice total are negated, so the bill's lines are "
        "the same either way (procountor_api/bills.py entry_sign).",
    ),
    "ledger_reversing_amount": Reading(
        ("net", "gross"),
        "Does the REVERSING_ENTRY (the payable row) carry the net total, so that the rows "
        "sum to 0 as §6 says, or the gross total the supplier is owed?",
        "The bill import never reads the REVERSING_ENTRY's amount: lines come from the "
        "ENTRY rows, totals from invoiceSumInfo.",
    ),
    "ledger_transaction_vat_status": Reading(
        ("own", "inherited"),
        "Does every ENTRY transaction carry its own vatStatus, or only those that differ "
        "from the receipt's (§6: the transaction's status overrides the receipt's)?",
        "A transaction without vatStatus takes the receipt's; the bill import chooses the "
        "Odoo tax with that status (procountor_api/bills.py bill_values).",
    ),
    "purchase_vat_rounding": Reading(
        ("per_row", "per_total"),
        "Does Procountor round a purchase invoice's VAT per row, or once per VAT rate on "
        "the rows' total (§14.7: the exact rounding is undocumented)?",
        "The bill import keeps Procountor's VAT total: a difference to Odoo's own "
        "computation of at most one cent per line with VAT is booked on the bill's tax "
        "line as the tax totals widget would; a larger one refuses the bill.",
    ),
})


def defaults():
    """Every reading at its default (first) value."""
    return {name: reading.values[0] for name, reading in READINGS.items()}


def check(name, value):
    """Raise ValueError unless ``value`` is one of the plausible answers to ``name``."""
    if name not in READINGS:
        raise ValueError(f"unknown reading {name!r}; known: {', '.join(sorted(READINGS))}")
    if value not in READINGS[name].values:
        raise ValueError(f"reading {name!r} takes one of {READINGS[name].values!r}, not {value!r}")


def variants():
    """(name, value) for every non-default answer: what a test runs besides the defaults."""
    return [(name, value) for name, reading in READINGS.items() for value in reading.values[1:]]
