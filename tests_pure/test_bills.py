"""Purchase invoice + ledger receipt -> vendor-bill values (procountor_api.bills)."""

import datetime
from decimal import Decimal

import pytest

from procountor_api import bills, registers
from procountor_simulator import Simulator, readings

D = Decimal
DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def store_sim():
    """A simulator used without HTTP, only to build realistic invoices and receipts."""
    return Simulator()


def _supplier(sim, name="Toimittaja Oy", identifier="1234567-8"):
    return sim.add_partner(name, type="SUPPLIER", identifier=identifier)


def test_domestic_bill_lines_are_the_receipts_entry_rows(store_sim):
    invoice, receipt = store_sim.add_purchase_invoice(
        _supplier(store_sim),
        DAY,
        invoice_number="INV-77",
        reference="",
        rows=[
            {
                "product": "Rent",
                "unitPrice": 1000,
                "vatPercent": 25.5,
                "account": "6800",
            },
            {
                "product": "Paper",
                "quantity": 3,
                "unitPrice": 10.15,
                "vatPercent": 14,
                "account": "4000",
                "description": "Printer paper",
            },
        ],
    )
    values = bills.bill_values(invoice, receipt)
    assert values["problems"] == []
    assert values["move_type"] == "in_invoice"
    assert [
        (line["account"], line["amount"], line["vat_percent"], line["description"])
        for line in values["lines"]
    ] == [
        ("6800", D("1000.00"), D("25.5"), "Rent"),
        ("4000", D("30.45"), D("14"), "Printer paper"),
    ]
    assert values["totals"] == {
        "untaxed": D("1030.45"),
        "tax": D("259.26"),
        "total": D("1289.71"),
    }
    assert values["ref"] == "INV-77"
    assert (
        values["payment_reference"] == invoice["paymentInfo"]["bankReferenceCode"] != ""
    )
    assert values["date"] == "2026-03-02" and values["due_date"] == "2026-03-16"
    assert values["supplier"]["procountor_id"] == invoice["partnerId"]
    assert values["supplier"]["identifier"] == "1234567-8"
    # A new supplier contact is made by the one partner mapper.
    contact = registers.contact_values(values["supplier"]["contact"])
    assert contact["company_registry"] == "1234567-8" and contact["vat"] is False
    assert contact["is_company"] and contact["name"] == values["supplier"]["name"]
    assert contact["country_code"] == "FI"
    assert values["receipt_id"] == receipt["id"] == invoice["ledgerReceiptId"]
    assert values["currency"] == values["accounting_currency"] == "EUR"


def test_negative_total_gives_a_refund_with_positive_amounts(store_sim):
    invoice, receipt = store_sim.add_purchase_invoice(
        "Hyvitys Oy",
        DAY,
        rows=[
            {
                "product": "Returned goods",
                "quantity": -2,
                "unitPrice": 50,
                "vatPercent": 25.5,
                "account": "4000",
            }
        ],
    )
    values = bills.bill_values(invoice, receipt)
    assert values["move_type"] == "in_refund"
    assert [line["amount"] for line in values["lines"]] == [D("100.00")]
    assert values["totals"] == {
        "untaxed": D("100.00"),
        "tax": D("25.50"),
        "total": D("125.50"),
    }
    assert values["supplier"]["procountor_id"] is None


def test_a_negative_row_on_an_ordinary_bill_stays_negative(store_sim):
    invoice, receipt = store_sim.add_purchase_invoice(
        "Alennus Oy",
        DAY,
        rows=[
            {"product": "Goods", "unitPrice": 200, "account": "4000"},
            {"product": "Discount", "unitPrice": -20, "account": "4000"},
        ],
    )
    values = bills.bill_values(invoice, receipt)
    assert values["move_type"] == "in_invoice"
    assert [line["amount"] for line in values["lines"]] == [D("200.00"), D("-20.00")]


def test_foreign_currency_lines_add_up_to_the_invoice_currency_total(store_sim):
    # 333.33 USD at 1.0837 USD/EUR is 307.59 EUR; converting back gives 333.34,
    # so the lines are spread from the USD total instead.
    invoice, receipt = store_sim.add_purchase_invoice(
        "Vendor Inc",
        DAY,
        currency="USD",
        currency_rate=1.0837,
        rows=[
            {"product": "A", "unitPrice": 333.33, "vatPercent": 0, "account": "4000"},
            {"product": "B", "unitPrice": 100.01, "vatPercent": 0, "account": "6800"},
        ],
    )
    values = bills.bill_values(invoice, receipt)
    assert [t["accountingValue"] for t in bills.entry_transactions(receipt)] == [
        307.59,
        92.29,
    ]
    assert values["currency"] == "USD" and values["accounting_currency"] == "EUR"
    assert values["rate"] == D("1.0837")
    assert sum(line["amount"] for line in values["lines"]) == D("433.34")
    assert [line["amount"] for line in values["lines"]] == [D("333.33"), D("100.01")]
    assert values["totals"]["total"] == D("433.34")


def test_allocate_sums_exactly_and_stays_within_a_cent():
    shares = bills.allocate(D("100.00"), [1, 1, 1])
    assert shares == [D("33.33"), D("33.34"), D("33.33")]
    assert sum(bills.allocate(D("-10.01"), [3, -1, 5])) == D("-10.01")


def test_dimension_amounts_become_percentages(store_sim):
    project = store_sim.store.add_dimension("Project", ["P300"])
    item = project["items"][0]
    invoice, receipt = store_sim.add_purchase_invoice(
        "Projektit Oy",
        DAY,
        rows=[
            {
                "product": "Consulting",
                "unitPrice": 400,
                "account": "4000",
                "dimensionItemValues": [
                    {"dimensionId": project["id"], "itemId": item["id"], "value": 100}
                ],
            }
        ],
    )
    line = bills.bill_values(invoice, receipt)["lines"][0]
    assert line["dimensions"] == [
        {"dimension_id": project["id"], "item_id": item["id"], "percent": D("25")}
    ]


def test_missing_receipt_totals_and_accounts_are_problems(store_sim):
    invoice, receipt = store_sim.add_purchase_invoice("Puute Oy", DAY)
    assert bills.bill_values(invoice, None)["problems"] == [bills.NO_RECEIPT]
    no_totals = dict(invoice, invoiceSumInfo=[])
    assert bills.bill_values(no_totals, receipt)["problems"] == [bills.NO_TOTALS]
    only_payable = dict(
        receipt,
        transactions=[
            t for t in receipt["transactions"] if t["transactionType"] != "ENTRY"
        ],
    )
    assert bills.bill_values(invoice, only_payable)["problems"] == [bills.NO_ENTRIES]
    blank = dict(
        receipt, transactions=[dict(t, account="") for t in receipt["transactions"]]
    )
    assert bills.bill_values(invoice, blank)["problems"] == [bills.NO_ACCOUNT]


def test_checksum_ignores_ids_and_status_but_not_amounts(store_sim):
    invoice, receipt = store_sim.add_purchase_invoice("Muutos Oy", DAY)
    before = bills.receipt_checksum(receipt)
    store_sim.set_invoice_status(invoice["id"], "PAID")
    rebuilt = store_sim.change_ledger_receipt(invoice["id"])
    assert rebuilt["id"] != receipt["id"]
    assert bills.receipt_checksum(rebuilt) == before
    edited = store_sim.change_ledger_receipt(
        invoice["id"],
        rows=[{"product": "Office supplies", "unitPrice": 120, "account": "4000"}],
    )
    assert bills.receipt_checksum(edited) != before


@pytest.mark.parametrize(
    "stored, wanted",
    [
        ("1234567-8", "12345678"),
        (" fi 1234 5678 ", "1234567-8"),
        ("FI12345678", "12345678"),
        ("se556677-8899-01", "SE556677889901"),
    ],
)
def test_business_id_forms_find_each_other(stored, wanted):
    # Suppliers are matched with the one business-ID normaliser of registers.
    assert registers.business_id_keys(stored) & registers.business_id_keys(wanted)


def test_business_id_keys_do_not_mix_different_ids():
    assert not registers.business_id_keys("1234567-8") & registers.business_id_keys(
        "1234567-9"
    )
    assert registers.business_id_keys("") == set()
    assert registers.business_id_keys(None) == set()


# --- Readings of the ledger receipt (procountor_simulator.readings) -------------------

BILL_READINGS = (
    "ledger_receipt_sign",
    "ledger_reversing_amount",
    "ledger_transaction_vat_status",
    "purchase_vat_rounding",
)


def _as_api_returns(sim, invoice, receipt):
    """The invoice and receipt the way GET /invoices and GET /ledgerreceipts answer."""
    return sim.store.invoices[invoice["id"]], sim.store.receipt_view(receipt)


def _two_rate_bill(sim):
    return sim.add_purchase_invoice(
        "Toimittaja Oy",
        DAY,
        rows=[
            {
                "product": "Rent",
                "unitPrice": 1000,
                "vatPercent": 25.5,
                "account": "6800",
            },
            {
                "product": "Paper",
                "quantity": 3,
                "unitPrice": 10.15,
                "vatPercent": 14,
                "account": "4000",
                "dimensionItemValues": [
                    {"dimensionId": 1, "itemId": 2, "value": 30.45}
                ],
            },
            {
                "product": "Import",
                "unitPrice": 50,
                "vatPercent": 25.5,
                "account": "4010",
                "vatStatus": 21,
            },
        ],
    )


@pytest.mark.parametrize(
    "name,value",
    [(name, value) for name, value in readings.variants() if name in BILL_READINGS],
)
def test_every_reading_gives_the_same_bill_lines(name, value):
    reference = Simulator()
    expected = bills.bill_values(
        *_as_api_returns(reference, *_two_rate_bill(reference))
    )
    sim = Simulator()
    sim.set_reading(name, value)
    values = bills.bill_values(*_as_api_returns(sim, *_two_rate_bill(sim)))
    assert [
        (
            line["account"],
            line["amount"],
            line["vat_percent"],
            line["vat_status"],
            line["dimensions"],
        )
        for line in values["lines"]
    ] == [
        (
            line["account"],
            line["amount"],
            line["vat_percent"],
            line["vat_status"],
            line["dimensions"],
        )
        for line in expected["lines"]
    ]
    assert [line["vat_status"] for line in values["lines"]] == [1, 1, 21]
    assert values["move_type"] == "in_invoice"
    assert values["totals"]["untaxed"] == expected["totals"]["untaxed"] == D("1080.45")


def test_a_transaction_without_vat_status_takes_the_receipts():
    sim = Simulator()
    sim.set_reading("ledger_transaction_vat_status", "inherited")
    invoice, receipt = _as_api_returns(sim, *_two_rate_bill(sim))
    entries = bills.entry_transactions(receipt)
    assert [entry["vatStatus"] for entry in entries] == [None, None, 21]
    assert receipt["vatStatus"] == 1
    assert [
        line["vat_status"] for line in bills.bill_values(invoice, receipt)["lines"]
    ] == [1, 1, 21]


def test_credit_positive_receipts_are_read_the_right_way_round():
    sim = Simulator()
    sim.set_reading("ledger_receipt_sign", "credit_positive")
    invoice, receipt = _as_api_returns(
        sim,
        *sim.add_purchase_invoice(
            "Hyvitys Oy",
            DAY,
            rows=[
                {
                    "product": "Returned goods",
                    "quantity": -2,
                    "unitPrice": 50,
                    "account": "4000",
                }
            ],
        ),
    )
    assert bills.entry_transactions(receipt)[0]["accountingValue"] == 100.0
    values = bills.bill_values(invoice, receipt)
    assert values["move_type"] == "in_refund"
    assert [line["amount"] for line in values["lines"]] == [D("100.00")]


def test_gross_bill_of_124_keeps_procountors_vat():
    sim = Simulator()
    invoice, receipt = _as_api_returns(
        sim,
        *sim.add_purchase_invoice(
            "Toimittaja Oy",
            DAY,
            unit_prices_include_vat=True,
            rows=[
                {
                    "product": "Tools",
                    "unitPrice": 124.00,
                    "vatPercent": 25.5,
                    "account": "4000",
                }
            ],
        ),
    )
    values = bills.bill_values(invoice, receipt)
    assert [line["amount"] for line in values["lines"]] == [D("98.80")]
    assert values["totals"] == {
        "untaxed": D("98.80"),
        "tax": D("25.20"),
        "total": D("124.00"),
    }
    # Odoo's VAT of 98.80 at 25.5 % is 25.19: one cent of rounding, one taxed line.
    assert bills.money(D("98.80") * D("0.255")) == D("25.19")
    assert bills.spread_vat_difference(D("0.01"), [("g25", 1, D("25.19"))]) == {
        "g25": D("0.01")
    }


def test_vat_difference_is_rounding_only_up_to_a_cent_per_taxed_line():
    groups = [("g14", 2, D("4.26")), ("g25", 1, D("255.00"))]
    assert bills.spread_vat_difference(D("0"), groups) == {}
    # The group with the most VAT first, then the next one.
    assert bills.spread_vat_difference(D("0.01"), groups) == {"g25": D("0.01")}
    assert bills.spread_vat_difference(D("-0.03"), groups) == {
        "g25": D("-0.01"),
        "g14": D("-0.02"),
    }
    assert bills.spread_vat_difference(D("0.04"), groups) is None
    assert bills.spread_vat_difference(D("0.01"), []) is None


def test_per_total_vat_rounding_of_the_simulator():
    rows = [
        {"product": "Screw", "unitPrice": 0.10, "vatPercent": 25.5, "account": "4000"}
    ] * 2
    per_row = Simulator()
    invoice, _receipt = per_row.add_purchase_invoice("Toimittaja Oy", DAY, rows=rows)
    assert invoice["invoiceSumInfo"][0]["vatSumTotal"] == 0.06
    per_total = Simulator()
    per_total.set_reading("purchase_vat_rounding", "per_total")
    invoice, _receipt = per_total.add_purchase_invoice("Toimittaja Oy", DAY, rows=rows)
    assert invoice["invoiceSumInfo"][0]["vatSumTotal"] == 0.05


def test_gross_reversing_entry_of_the_simulator():
    sim = Simulator()
    sim.set_reading("ledger_reversing_amount", "gross")
    invoice, receipt = _as_api_returns(
        sim, *sim.add_purchase_invoice("Toimittaja Oy", DAY)
    )
    reversing = receipt["transactions"][0]
    assert reversing["transactionType"] == "REVERSING_ENTRY"
    assert (
        reversing["accountingValue"]
        == -125.5
        == -invoice["invoiceSumInfo"][0]["invoiceSumTotal"]
    )
    assert [
        t["accountingValue"] for t in sim.store.receipts[receipt["id"]]["transactions"]
    ] == [-100.0, 100.0]
