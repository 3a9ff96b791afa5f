"""What a vendor-bill run lists, reads and does with each invoice read, and
the checks of a bill's totals against Procountor's (procountor_api.bills)."""

import datetime
from decimal import Decimal

from procountor_api import bills
from procountor_simulator import Simulator

D = Decimal
DAY = datetime.date(2026, 3, 2)


def _invoice(invoice_id, date="2026-03-02", status="APPROVED", receipt_id=None):
    return {
        "id": invoice_id,
        "type": bills.PURCHASE_INVOICE,
        "status": status,
        "date": date,
        "ledgerReceiptId": receipt_id,
    }


def test_first_run_lists_accepted_purchase_invoices_and_all_their_receipts():
    invoices, receipts = bills.listing_filters()
    assert invoices == {
        "types": "PURCHASE_INVOICE",
        "status": "APPROVED,PAYMENT_QUEUED,PAYMENT_SENT_TO_BANK,PARTLY_PAID,PAID,"
        "MARKED_PAID",
        "orderById": "ASC",
    }
    assert receipts == {"types": "PURCHASE_INVOICE", "orderById": "ASC"}


def test_later_runs_list_from_the_start_date_and_versions_seen():
    invoices, receipts = bills.listing_filters(
        "2026-01-01", "2026-03-02T10:00:00", "2026-03-02T11:00:00"
    )
    assert (invoices["startDate"], receipts["startDate"]) == ("2026-01-01",) * 2
    assert invoices["versionStartDate"] == "2026-03-02T10:00:00"
    assert receipts["versionStartDate"] == "2026-03-02T11:00:00"


def test_each_bill_is_read_once_and_in_batches_of_at_most_200():
    rows = [{"id": n} for n in range(1, 451)] + [{"id": None}]
    ids = bills.ids_to_read(rows, bills.parse_ids("7, 500"), [3, 501, 500])
    assert ids == [*range(1, 451), 500, 501]
    assert [len(batch) for batch in bills.batches(ids, 200)] == [200, 200, 52]
    assert bills.ids_text(bills.parse_ids("12,13")) == "12,13"
    assert bills.parse_ids(False) == [] and bills.ids_text([]) == ""


def test_next_run_starts_from_the_newest_version_listed():
    rows = [{"version": "2026-03-02T10:00:00"}, {"version": "2026-03-03T09:00:00"}, {}]
    assert bills.latest_version(rows) == "2026-03-03T09:00:00"
    assert bills.latest_version([{}]) is None


def test_batch_is_planned_by_date_then_id_without_the_unwanted():
    receipt = {"id": 90}
    read = [
        _invoice(3, "2026-03-05"),
        _invoice(2, "2026-03-01", receipt_id=90),
        _invoice(1, "2026-03-05"),
        _invoice(4, "2026-03-04", status="REJECTED"),
        _invoice(5, "2025-12-31"),
        dict(_invoice(6), type="SALES_INVOICE"),
        _invoice(7, "2026-01-01"),
    ]
    plan = bills.plan_batch(read, {90: receipt}, start_date="2026-01-01")
    assert [(inv["id"], rec) for inv, rec in plan] == [
        (7, None),
        (2, receipt),
        (1, None),
        (3, None),
    ]


def test_an_imported_bill_whose_receipt_changed_is_told_apart():
    sim = Simulator()
    supplier = sim.add_partner("Toimittaja Oy", type="SUPPLIER", identifier="1234567-8")
    invoice, receipt = sim.add_purchase_invoice(supplier, DAY)
    checksum = bills.receipt_checksum(receipt)
    receipt_id = invoice["ledgerReceiptId"]
    assert bills.receipt_change(invoice, receipt, receipt_id, checksum) is None
    # Not returned this time: nothing to compare, nothing reported.
    assert bills.receipt_change(invoice, None, receipt_id, checksum) is None
    assert (
        bills.receipt_change(invoice, receipt, receipt_id + 1, checksum)
        == bills.NEW_RECEIPT
    )
    entry = bills.entry_transactions(receipt)[0]
    entry["accountingValue"] = float(bills.dec(entry["accountingValue"]) + 1)
    assert (
        bills.receipt_change(invoice, receipt, receipt_id, checksum)
        == bills.EDITED_RECEIPT
    )


def test_dimension_items_are_named_by_dimension_and_item_id():
    dimensions = [
        {"id": 1, "name": "Project", "items": [{"id": 11, "codeName": "P100"}]},
        {"id": 2, "name": None, "items": None},
    ]
    assert bills.dimension_names(dimensions) == {(1, 11): ("Project", "P100")}


def test_attachment_name_and_type_fall_back_on_the_invoice_and_file_name():
    assert bills.attachment_file({"name": "a.pdf"}, 7) == ("a.pdf", "application/pdf")
    assert bills.attachment_file({}, 7) == ("procountor_7", "application/octet-stream")
    assert bills.attachment_file({"name": "x", "mimeType": "image/png"}, 7) == (
        "x",
        "image/png",
    )


def test_tax_percent_is_written_without_trailing_zeros():
    assert [bills.percent_text(D(v)) for v in ("25.50", "14.0", "0")] == [
        "25.5",
        "14",
        "0",
    ]


def test_totals_are_compared_in_the_currencys_smallest_unit():
    procountor = {"untaxed": D("98.80"), "tax": D("25.20"), "total": D("124.00")}
    odoo = {"untaxed": 98.8, "tax": 25.2, "total": 124.0}
    assert not bills.totals_differ(odoo, procountor, 0.01)
    assert bills.totals_differ(dict(odoo, tax=25.19), procountor, 0.01)
    yen = {"untaxed": D("1000.40"), "tax": D("0"), "total": D("1000.40")}
    assert not bills.totals_differ({"untaxed": 1000, "tax": 0, "total": 1000}, yen, 1)


def test_only_vat_is_left_to_rounding_when_the_untaxed_amounts_agree():
    procountor = {"untaxed": D("98.80"), "tax": D("25.20"), "total": D("124.00")}
    assert bills.vat_difference(98.8, 25.19, procountor, 0.01) == D("0.01")
    assert bills.vat_difference(98.79, 25.19, procountor, 0.01) == 0
    assert bills.vat_difference(98.8, 25.2, procountor, 0.01) == 0
