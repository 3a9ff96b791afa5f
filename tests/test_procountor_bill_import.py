# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models import procountor_bill_import
from ..models.procountor_bill_import import BillImportRun
from ..procountor_api import bills
from ..procountor_simulator import readings
from ..procountor_simulator.simulator import SAMPLE_PDF
from .bill_common import ProcountorBillCommon

# The readings of procountor_simulator.readings about vendor bills.
BILL_READINGS = (
    "ledger_receipt_sign",
    "ledger_reversing_amount",
    "ledger_transaction_vat_status",
    "purchase_vat_rounding",
)

UNAVAILABLE = (
    "Connection Procountor Bills: Procountor is temporarily unavailable; "
    "try again later."
)


@tagged("post_install", "-at_install")
class TestBillImport(ProcountorBillCommon):
    def test_only_accepted_statuses_are_imported(self):
        supplier = self._supplier()
        accepted = {
            self.sim.add_purchase_invoice(supplier, self.day, status=status)[0]["id"]
            for status in bills.ACCEPTED_STATUSES
        }
        for status in (
            "UNFINISHED",
            "RECEIVED",
            "VERIFIED",
            "PAYMENT_DENIED",
            "INVALIDATED",
        ):
            self.sim.add_purchase_invoice(supplier, self.day, status=status)

        run = self._run()

        self.assertEqual(set(self._bills().mapped("procountor_bill_id")), accepted)
        self.assertEqual(run.imported, 6)
        self.assertEqual(
            self.bill_connection.bill_last_summary, self._summary(imported=6)
        )
        self.assertTrue(self.bill_connection.bill_last_fetch)
        # One listing each of invoices and receipts, then one batch GET each.
        self.assertEqual(self.sim.count("GET", "/invoices"), 1)
        self.assertEqual(self.sim.count("GET", "/invoices/*"), 1)
        self.assertEqual(self.sim.count("GET", "/ledgerreceipts"), 1)
        self.assertEqual(self.sim.count("GET", "/ledgerreceipts/*"), 1)
        listing = next(r for r in self.sim.requests if r["path"] == "/invoices")
        self.assertEqual(listing["query"]["types"], "PURCHASE_INVOICE")
        self.assertEqual(
            set(listing["query"]["status"].split(",")), set(bills.ACCEPTED_STATUSES)
        )

    def test_bill_header_lines_taxes_and_attachment(self):
        supplier = self._supplier()
        invoice, receipt = self.sim.add_purchase_invoice(
            supplier,
            self.day,
            invoice_number="TOIM-1001",
            reference="",
            with_attachment=True,
            rows=[
                {
                    "product": "Office rent",
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

        self._run()

        move = self._bills()
        self.assertRecordValues(
            move,
            [
                {
                    "move_type": "in_invoice",
                    "state": "draft",
                    "journal_id": self.bill_journal.id,
                    "company_id": self.bill_company.id,
                    "invoice_date": self.day,
                    "invoice_date_due": self.day + timedelta(days=14),
                    "ref": "TOIM-1001",
                    "payment_reference": invoice["paymentInfo"]["bankReferenceCode"],
                    "currency_id": self.env.ref("base.EUR").id,
                    "amount_untaxed": 1030.45,
                    "amount_tax": 259.26,
                    "amount_total": 1289.71,
                    "procountor_bill_id": invoice["id"],
                    "procountor_receipt_id": receipt["id"],
                    "procountor_receipt_version": receipt["version"],
                    "procountor_bill_changed": False,
                }
            ],
        )
        self.assertEqual(
            move.amount_total, invoice["invoiceSumInfo"][0]["invoiceSumTotal"]
        )
        self.assertRecordValues(
            move.invoice_line_ids,
            [
                {
                    "name": "Office rent",
                    "account_id": self.accounts["6800"].id,
                    "price_subtotal": 1000.0,
                    "tax_ids": self.tax_255.ids,
                },
                {
                    "name": "Printer paper",
                    "account_id": self.accounts["4000"].id,
                    "price_subtotal": 30.45,
                    "tax_ids": self.tax_14.ids,
                },
            ],
        )
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        self.assertEqual(
            attachment.name, f"purchase_invoice_{invoice['invoiceNumber']}.pdf"
        )
        self.assertEqual(attachment.raw, SAMPLE_PDF)
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertEqual(move.message_main_attachment_id, attachment)
        self.assertIn(
            f"Imported from Procountor: purchase invoice {invoice['invoiceNumber']}",
            move.message_ids[0].body,
        )
        self.assertEqual(self.sim.count("GET", "/attachments/*"), 1)

    def test_posted_option(self):
        self.bill_connection.bill_state = "posted"
        self.sim.add_purchase_invoice(self._supplier(), self.day)
        self._run()
        move = self._bills()
        self.assertEqual(move.state, "posted")
        self.assertNotEqual(move.name, "/")

    def test_credit_bill_becomes_a_refund(self):
        invoice, _receipt = self.sim.add_purchase_invoice(
            self._supplier(),
            self.day,
            rows=[
                {
                    "product": "Returned chairs",
                    "quantity": -2,
                    "unitPrice": 50,
                    "account": "4000",
                }
            ],
        )
        self.assertEqual(invoice["invoiceSumInfo"][0]["invoiceSumTotal"], -125.5)
        self._run()
        move = self._bills()
        self.assertRecordValues(
            move,
            [
                {
                    "move_type": "in_refund",
                    "amount_untaxed": 100.0,
                    "amount_tax": 25.5,
                    "amount_total": 125.5,
                }
            ],
        )
        self.assertEqual(move.invoice_line_ids.price_unit, 100.0)
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_255)

    def test_foreign_currency_uses_procountors_rate(self):
        invoice, _receipt = self.sim.add_purchase_invoice(
            self._supplier(),
            self.day,
            currency="USD",
            currency_rate=1.25,
            rows=[{"product": "Licences", "unitPrice": 250, "account": "4000"}],
        )
        in_euros = invoice["invoiceSumInfo"][1]
        self.assertEqual(
            (in_euros["excludingVatTotal"], in_euros["invoiceSumTotal"]), (200.0, 251.0)
        )
        self._run()
        move = self._bills()
        self.assertRecordValues(
            move,
            [
                {
                    "currency_id": self.env.ref("base.USD").id,
                    "invoice_currency_rate": 1.25,
                    "amount_untaxed": 250.0,
                    "amount_tax": 63.75,
                    "amount_total": 313.75,
                }
            ],
        )
        self.assertEqual(move.invoice_line_ids.balance, 200.0)
        self.assertEqual(abs(move.amount_total_signed), 251.0)

    def test_dimensions_become_analytic_distribution(self):
        project = next(
            d for d in self.sim.store.dimensions.values() if d["name"] == "Project"
        )
        p100, p200 = project["items"]
        self.sim.add_purchase_invoice(
            self._supplier(),
            self.day,
            rows=[
                {
                    "product": "Subcontracting",
                    "unitPrice": 500,
                    "account": "4000",
                    "dimensionItemValues": [
                        {
                            "dimensionId": project["id"],
                            "itemId": p100["id"],
                            "value": 300,
                        },
                        {
                            "dimensionId": project["id"],
                            "itemId": p200["id"],
                            "value": 200,
                        },
                    ],
                },
                {"product": "Travel", "unitPrice": 80, "account": "7680"},
            ],
        )
        self._run()
        lines = self._bills().invoice_line_ids
        # P200 has no analytic account of that name: that share stays unassigned.
        self.assertEqual(
            lines[0].analytic_distribution, {str(self.analytic_p100.id): 60.0}
        )
        self.assertFalse(lines[1].analytic_distribution)
        self.assertEqual(self.sim.count("GET", "/dimensions"), 1)


@tagged("post_install", "-at_install")
class TestBillSupplier(ProcountorBillCommon):
    def _import_one(self, seller):
        self.sim.add_purchase_invoice(seller, self.day)
        self._run()
        return self._bills()[-1].partner_id

    def test_matched_by_procountor_id(self):
        supplier = self._supplier("Kone Oy")
        partner = self.env["res.partner"].create({"name": "Kone Oy (Tampere)"})
        partner._procountor_set_id(self.bill_connection, supplier["id"], "SUPPLIER")
        self.assertEqual(self._import_one(supplier), partner)

    def test_matched_by_business_id_then_linked(self):
        supplier = self._supplier("Kone Oy")
        registry = supplier["invoicingInfo"]["identifier"].replace("-", " ").lower()
        company = self.env["res.partner"].create(
            {"name": "Koneyhtiö", "is_company": True, "company_registry": registry}
        )
        self.env["res.partner"].create({"name": "Matti", "parent_id": company.id})
        self.assertEqual(self._import_one(supplier), company)
        self.assertEqual(
            company._procountor_get_ids(self.bill_connection, "SUPPLIER"),
            {company.id: supplier["id"]},
        )

    def test_matched_by_vat_number(self):
        supplier = self._supplier("Kone Oy")
        vat = "FI" + supplier["invoicingInfo"]["identifier"].replace("-", "")
        partner = self.env["res.partner"].create({"name": "Koneyhtiö", "vat": vat})
        self.assertEqual(self._import_one(supplier), partner)

    def test_matched_by_name(self):
        partner = self.env["res.partner"].create({"name": "KAHVILA 100% OY"})
        self.env["res.partner"].create({"name": "Kahvila 1000% Oy"})
        self.assertEqual(self._import_one("Kahvila 100% Oy"), partner)

    def test_created_with_its_procountor_id_once(self):
        supplier = self._supplier("Uusi Toimittaja Oy")
        self.sim.add_purchase_invoice(supplier, self.day)
        self.sim.add_purchase_invoice(supplier, self.day)
        self._run()
        partner = self._bills().partner_id
        self.assertEqual(len(partner), 1)
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Uusi Toimittaja Oy",
                    "is_company": True,
                    "company_registry": supplier["invoicingInfo"]["identifier"],
                    "city": "Tampere",
                    "country_id": self.env.ref("base.fi").id,
                }
            ],
        )
        self.assertEqual(
            partner._procountor_get_ids(self.bill_connection, "SUPPLIER"),
            {partner.id: supplier["id"]},
        )

    def test_created_supplier_keeps_a_foreign_vat_number_as_vat(self):
        supplier = self._supplier("Leverantör AB", identifier="SE556677889901")
        partner = self._import_one(supplier)
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Leverantör AB",
                    "vat": "SE556677889901",
                    "company_registry": False,
                }
            ],
        )

    def test_matched_by_business_id_typed_with_an_en_dash(self):
        supplier = self._supplier("Kone Oy")
        registry = supplier["invoicingInfo"]["identifier"].replace("-", "\u2013")
        company = self.env["res.partner"].create(
            {"name": "Koneyhtiö", "is_company": True, "company_registry": registry}
        )
        self.assertEqual(self._import_one(supplier), company)


@tagged("post_install", "-at_install")
class TestBillAllOrNothing(ProcountorBillCommon):
    def test_missing_accounts_fail_the_bill_only(self):
        bad, _receipt = self.sim.add_purchase_invoice(
            "Puuttuva Oy",
            self.day,
            rows=[
                {"product": "A", "unitPrice": 10, "account": "9999"},
                {"product": "B", "unitPrice": 10, "account": "4000"},
                {"product": "C", "unitPrice": 10, "account": "9998"},
            ],
        )
        good, _receipt = self.sim.add_purchase_invoice(self._supplier(), self.day)

        run = self._run()

        self.assertEqual(self._bills().mapped("procountor_bill_id"), [good["id"]])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Puuttuva Oy")]))
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                imported=1,
                failed=1,
                details=[
                    f"Procountor bill {bad['invoiceNumber']} from Puuttuva Oy: account "
                    "codes 9998, 9999 do not exist in Odoo company Procountor Bills "
                    "Oy; create them (or correct the accounts in Procountor), then "
                    "fetch again."
                ],
            ),
        )
        self.assertEqual(run.retry_ids, [bad["id"]])

        # Nothing changes in Procountor; the accounts appear in Odoo.
        for code in ("9998", "9999"):
            self.env["account.account"].with_company(self.bill_company).create(
                {"code": code, "name": code, "account_type": "expense"}
            )
        self._run()
        move = self._bills().filtered(lambda m: m.procountor_bill_id == bad["id"])
        self.assertEqual(
            move.invoice_line_ids.account_id.mapped("code"), ["9999", "4000", "9998"]
        )
        self.assertFalse(self.bill_connection.bill_retry_ids)

    def test_totals_mismatch_leaves_nothing_behind(self):
        # Two purchase taxes of 25.5 % without a Procountor VAT status and none
        # with the bill's (purchases from outside the EU): none is guessed, the
        # bill would lack VAT, so its totals differ from Procountor's and
        # nothing is created, not even the new supplier.
        statuses = {s.code: s for s in self.bill_connection.vat_status_ids}
        other = self.tax_255.copy({"name": "ALV 25,5 % tuonti A"})
        another = self.tax_255.copy({"name": "ALV 25,5 % tuonti B"})
        (other | another).procountor_vat_status_id = False
        if not self._finnish_chart():
            # l10n_fi's domestic tax stands for Domestic by itself.
            self.tax_255.procountor_vat_status_id = statuses[1]
        invoice, _receipt = self.sim.add_purchase_invoice(
            self._supplier("Uusi Oy"),
            self.day,
            rows=[
                {
                    "product": "Work",
                    "unitPrice": 100,
                    "account": "4000",
                    "vatStatus": 22,
                }
            ],
        )
        self._run()
        self.assertFalse(self._bills())
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Uusi Oy")]))
        self.assertFalse(
            self.env["procountor.partner.link"].search(
                [("connection_id", "=", self.bill_connection.id)]
            )
        )
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                failed=1,
                details=[
                    f"Procountor bill {invoice['invoiceNumber']} from Uusi Oy: the "
                    "Odoo totals (untaxed 100.00, VAT 0.00, total 100.00 EUR) differ "
                    "from Procountor's (untaxed 100.00, VAT 25.50, total 125.50), so "
                    "no bill was created. Several purchase taxes of 25.5% fit "
                    f"({other.name}, {another.name}); keep one or give each its "
                    "Procountor VAT status."
                ],
            ),
        )
        other.active = False
        self._run()
        self.assertEqual(self._bills().amount_total, 125.5)
        self.assertEqual(self._bills().invoice_line_ids.tax_ids, another)

    def test_rate_without_tax_is_reported(self):
        invoice, _receipt = self.sim.add_purchase_invoice(
            self._supplier("Ruoka Oy"),
            self.day,
            rows=[
                {
                    "product": "Lunch",
                    "unitPrice": 100,
                    "vatPercent": 13.5,
                    "account": "4000",
                }
            ],
        )
        self._run()
        self.assertFalse(self._bills())
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                failed=1,
                details=[
                    f"Procountor bill {invoice['invoiceNumber']} from Ruoka Oy: the "
                    "Odoo totals (untaxed 100.00, VAT 0.00, total 100.00 EUR) differ "
                    "from Procountor's (untaxed 100.00, VAT 13.50, total 113.50), so "
                    "no bill was created. Odoo has no purchase tax of 13.5% (VAT "
                    "excluded from the price)."
                ],
            ),
        )

    def test_odoo_refusing_to_post_leaves_nothing_behind(self):
        self.env["account.analytic.applicability"].create(
            {
                "analytic_plan_id": self.project_plan.id,
                "business_domain": "bill",
                "applicability": "mandatory",
            }
        )
        self.bill_connection.bill_state = "posted"
        invoice, _receipt = self.sim.add_purchase_invoice(
            self._supplier("Uusi Oy"), self.day
        )
        run = self._run()
        self.assertFalse(self._bills())
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Uusi Oy")]))
        self.assertEqual(run.failed, 1)
        self.assertTrue(
            run.failures[0].startswith(
                f"Procountor bill {invoice['invoiceNumber']} from Uusi Oy: Odoo "
                "refused the bill: "
            ),
            run.failures,
        )


@tagged("post_install", "-at_install")
class TestBillBatches(ProcountorBillCommon):
    """Bills are created several at a time; a batch that fails is redone bill
    by bill."""

    def _count_creates(self):
        """Patch account.move.create; returns the list of the numbers of
        Procountor bills passed to each call."""
        Move = type(self.env["account.move"])
        original = Move.create
        calls = []

        def create(records, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            bills_ = [vals for vals in vals_list if vals.get("procountor_bill_id")]
            if bills_:
                calls.append(len(bills_))
            return original(records, vals_list)

        patcher = patch.object(Move, "create", create)
        patcher.start()
        self.addCleanup(patcher.stop)
        return calls

    def _batch_size(self, size):
        patcher = patch.object(procountor_bill_import, "CREATE_BATCH_SIZE", size)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_bills_are_created_together_with_their_notes_and_files(self):
        self._batch_size(4)
        calls = self._count_creates()
        suppliers = [self._supplier(f"Erä {n} Oy") for n in range(3)]
        invoices = [
            self.sim.add_purchase_invoice(
                suppliers[n % 3], self.day, with_attachment=n % 3 == 0
            )[0]
            for n in range(9)
        ]

        run = self._run()

        self.assertEqual(calls, [4, 4, 1])
        self.assertEqual(run.imported, 9)
        self.assertEqual(
            self.bill_connection.bill_last_summary, self._summary(imported=9)
        )
        moves = self._bills()
        self.assertEqual(
            moves.mapped("procountor_bill_id"), [inv["id"] for inv in invoices]
        )
        # One contact per supplier, however many of its bills one batch holds.
        self.assertEqual(len(moves.partner_id), 3)
        self.assertEqual(
            len(
                self.env["procountor.partner.link"].search(
                    [("connection_id", "=", self.bill_connection.id)]
                )
            ),
            3,
        )
        for n, (move, invoice) in enumerate(zip(moves, invoices, strict=True)):
            self.assertIn(
                "Imported from Procountor: purchase invoice "
                f"{invoice['invoiceNumber']} (ID {invoice['id']}",
                move.message_ids[0].body,
            )
            attachments = self.env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
            )
            self.assertEqual(len(attachments), 1 if n % 3 == 0 else 0)
            self.assertEqual(move.message_main_attachment_id, attachments)
            self.assertEqual(move.message_ids[0].attachment_ids, attachments)
            self.assertEqual(
                move.amount_total, invoice["invoiceSumInfo"][0]["invoiceSumTotal"]
            )

    def test_batches_take_far_fewer_queries_per_bill(self):
        def queries_per_bill(size, count):
            self._batch_size(size)
            supplier = self._supplier(f"Kyselyt {size} Oy")
            for _n in range(count):
                self.sim.add_purchase_invoice(
                    supplier,
                    self.day,
                    rows=[
                        {"product": "A", "unitPrice": 10, "account": "4000"},
                        {
                            "product": "B",
                            "unitPrice": 20,
                            "vatPercent": 14,
                            "account": "6800",
                        },
                    ],
                )
            queries = self.env.cr.sql_log_count
            self.assertEqual(self._run().imported, count)
            self.env.flush_all()
            return (self.env.cr.sql_log_count - queries) / count

        one_by_one = queries_per_bill(1, 10)
        batched = queries_per_bill(50, 10)
        self.assertLess(batched, one_by_one / 2, (batched, one_by_one))

    def test_one_bad_bill_is_reported_and_the_rest_of_its_batch_imported(self):
        calls = self._count_creates()
        supplier = self._supplier()
        good = [self.sim.add_purchase_invoice(supplier, self.day)[0] for _n in range(2)]
        # No purchase tax of 13.5 % in Odoo: its totals cannot agree.
        no_tax, _receipt = self.sim.add_purchase_invoice(
            self._supplier("Ruoka Oy"),
            self.day,
            rows=[
                {
                    "product": "Lunch",
                    "unitPrice": 100,
                    "vatPercent": 13.5,
                    "account": "4000",
                }
            ],
        )
        # An account Odoo does not have: left out before anything is created.
        no_account, _receipt = self.sim.add_purchase_invoice(
            supplier,
            self.day,
            rows=[{"product": "X", "unitPrice": 10, "account": "9999"}],
        )
        good += [
            self.sim.add_purchase_invoice(supplier, self.day)[0] for _n in range(2)
        ]

        run = self._run()

        self.assertEqual(
            self._bills().mapped("procountor_bill_id"), [inv["id"] for inv in good]
        )
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Ruoka Oy")]))
        # The batch of five, then each of its bills on its own.
        self.assertEqual(calls, [5, 1, 1, 1, 1, 1])
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                imported=4,
                failed=2,
                details=[
                    f"Procountor bill {no_account['invoiceNumber']} from Toimittaja "
                    "Oy: account codes 9999 do not exist in Odoo company Procountor "
                    "Bills Oy; create them (or correct the accounts in Procountor), "
                    "then fetch again.",
                    f"Procountor bill {no_tax['invoiceNumber']} from Ruoka Oy: the "
                    "Odoo totals (untaxed 100.00, VAT 0.00, total 100.00 EUR) differ "
                    "from Procountor's (untaxed 100.00, VAT 13.50, total 113.50), so "
                    "no bill was created. Odoo has no purchase tax of 13.5% (VAT "
                    "excluded from the price).",
                ],
            ),
        )
        self.assertEqual(
            sorted(run.retry_ids), sorted([no_tax["id"], no_account["id"]])
        )

    def test_a_run_interrupted_between_batches_imports_each_bill_once(self):
        self._batch_size(3)
        calls = self._count_creates()
        supplier = self._supplier()
        invoices = [
            self.sim.add_purchase_invoice(supplier, self.day)[0] for _n in range(7)
        ]
        # The second batch never gets created.
        cr = self.env.cr

        def commit():
            # What a commit keeps, a crash does not roll back.
            cr.flush()
            cr.execute('SAVEPOINT "bill_batch_commit"')

        def create_bills(records, run, prepared):
            if calls:
                raise RuntimeError("worker killed")
            return original(records, run, prepared)

        Import = type(self.env["procountor.bill.import"])
        original = Import._procountor_create_bills
        died = None
        commit()
        # The import commits as outside tests (asked on its connection); the
        # API log, which asks without a record, keeps to the test transaction.
        with (
            patch.object(cr, "commit", commit),
            patch.object(
                type(self.env["procountor.connection"]),
                "_procountor_can_commit",
                lambda self: bool(self),
            ),
            patch.object(Import, "_procountor_create_bills", create_bills),
        ):
            # Not assertRaises: it would roll back the "committed" work too.
            try:
                self._run()
            except RuntimeError as error:
                died = str(error)
        self.assertEqual(died, "worker killed")
        # The worker died: what it did since its last commit is lost.
        cr.execute('ROLLBACK TO SAVEPOINT "bill_batch_commit"')
        cr.clear()
        self.env.invalidate_all()
        self.assertEqual(calls, [3])
        self.assertEqual(
            self._bills().mapped("procountor_bill_id"),
            [inv["id"] for inv in invoices[:3]],
        )

        run = self._run()

        self.assertEqual((run.imported, run.skipped), (4, 3))
        self.assertEqual(
            self._bills().mapped("procountor_bill_id"), [inv["id"] for inv in invoices]
        )


@tagged("post_install", "-at_install")
class TestBillRerun(ProcountorBillCommon):
    def test_rerun_imports_nothing_twice(self):
        supplier = self._supplier()
        self.sim.add_purchase_invoice(supplier, self.day)
        self.sim.add_purchase_invoice(supplier, self.day)
        self._run()
        moves = self._bills()
        self.assertEqual(len(moves), 2)

        run = self._run()
        self.assertEqual((run.imported, run.failed, run.changed), (0, 0, []))
        self.assertEqual(self._bills(), moves)

        # Listing everything again (as after a new start date) skips both.
        self.bill_connection.bill_start_date -= timedelta(days=1)
        self._run()
        self.assertEqual(
            self.bill_connection.bill_last_summary, self._summary(skipped=2)
        )
        self.assertEqual(self._bills(), moves)

    def test_next_run_asks_for_changes_since_the_last_one(self):
        supplier = self._supplier()
        first, _receipt = self.sim.add_purchase_invoice(supplier, self.day)
        later, _receipt = self.sim.add_purchase_invoice(
            supplier, self.day, status="RECEIVED"
        )
        self._run()
        self.assertEqual(self._bills().mapped("procountor_bill_id"), [first["id"]])
        self.assertEqual(self.bill_connection.bill_invoice_version, first["version"])

        self.sim.set_invoice_status(later["id"], "APPROVED")
        self._run()
        listings = [r for r in self.sim.requests if r["path"] == "/invoices"]
        self.assertNotIn("versionStartDate", listings[0]["query"])
        self.assertEqual(listings[1]["query"]["versionStartDate"], first["version"])
        self.assertEqual(
            self._bills().mapped("procountor_bill_id"), [first["id"], later["id"]]
        )

    def test_bills_dated_before_the_start_date_are_left_out(self):
        start = self.bill_connection.bill_start_date
        supplier = self._supplier()
        self.sim.add_purchase_invoice(supplier, start - timedelta(days=1))
        on_start, _receipt = self.sim.add_purchase_invoice(supplier, start)
        self._run()
        self.assertEqual(self._bills().mapped("procountor_bill_id"), [on_start["id"]])

    def test_new_ledger_receipt_after_import_is_reported_not_duplicated(self):
        invoice, receipt = self.sim.add_purchase_invoice(
            self._supplier("Muutos Oy"), self.day
        )
        self._run()
        move = self._bills()
        new_receipt = self.sim.change_ledger_receipt(
            invoice["id"],
            rows=[{"product": "Office supplies", "unitPrice": 150, "account": "4000"}],
        )

        self._run()

        self.assertEqual(self._bills(), move)
        self.assertEqual(move.amount_untaxed, 100.0)
        self.assertTrue(move.procountor_bill_changed)
        sentence = (
            f"Procountor bill {invoice['invoiceNumber']} from Muutos Oy changed in "
            f"Procountor after it was imported as {move.display_name} (it has a new "
            f"ledger receipt {new_receipt['id']} instead of {receipt['id']}); the Odoo "
            "bill was left as it is, check it."
        )
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(changed=1, details=[sentence]),
        )
        self.assertIn(sentence, move.message_ids[0].body)
        notes = len(move.message_ids)
        self._run()
        self.assertEqual(len(move.message_ids), notes, "the change is noted once")

    def test_receipt_edited_in_procountor_is_reported(self):
        invoice, receipt = self.sim.add_purchase_invoice(
            self._supplier("Muutos Oy"), self.day
        )
        self._run()
        move = self._bills()
        # An accountant moves the cost to another account on the receipt
        # itself (PUT /ledgerreceipts, API_NOTES §6): the receipt keeps its id.
        transactions = [dict(t) for t in receipt["transactions"]]
        transactions[1]["account"] = "6800"
        with self.bill_connection._procountor_api() as client:
            client.put(
                f"/ledgerreceipts/{receipt['id']}",
                json={"version": receipt["version"], "transactions": transactions},
            )
        self.assertEqual(
            self.sim.invoices(id=invoice["id"])[0]["version"], invoice["version"]
        )

        run = self._run()

        self.assertEqual(self._bills(), move)
        self.assertEqual(move.invoice_line_ids.account_id, self.accounts["4000"])
        self.assertEqual(len(run.changed), 1)
        self.assertIn(
            "(the accounts or amounts of its ledger receipt were edited)",
            run.changed[0],
        )
        self.assertTrue(move.procountor_bill_changed)


@tagged("post_install", "-at_install")
class TestBillFaults(ProcountorBillCommon):
    def test_listing_failure_changes_nothing(self):
        self.sim.add_purchase_invoice(self._supplier(), self.day)
        self.sim.fail_next("GET", "/invoices", status=503, count=4)
        run = self._run()
        self.assertFalse(self._bills())
        self.assertEqual(run.fatal, UNAVAILABLE)
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            f"Vendor bills were not fetched: {UNAVAILABLE}",
        )
        self.assertFalse(self.bill_connection.bill_last_fetch)
        self.assertFalse(self.bill_connection.bill_invoice_version)
        self._run()
        self.assertEqual(len(self._bills()), 1)

    def test_lists_by_pages_and_reads_by_batches_of_200(self):
        # Bills that fail on a missing account cost no bill creation, which
        # keeps 201 of them quick while still crossing every 200 limit.
        for _n in range(201):
            self.sim.add_purchase_invoice(
                "Sivu Oy",
                self.day,
                rows=[{"product": "X", "unitPrice": 1, "account": "9999"}],
            )
        run = self._run()
        self.assertEqual((run.imported, run.failed), (0, 201))
        self.assertEqual(len(run.retry_ids), 201)
        self.assertEqual(len(self.bill_connection.bill_last_summary.split("\n")), 202)
        self.assertEqual(self.sim.count("GET", "/invoices"), 2)
        self.assertEqual(self.sim.count("GET", "/ledgerreceipts"), 2)
        batches = [
            r["path"] for r in self.sim.requests if r["path"].startswith("/invoices/")
        ]
        # The batches are read at once, so they may arrive in either order.
        self.assertEqual(
            sorted(
                (len(path.split("/")[-1].split(",")) for path in batches), reverse=True
            ),
            [200, 1],
        )
        self.assertEqual(self.sim.count("GET", "/ledgerreceipts/*"), 2)
        pages = [r["query"] for r in self.sim.requests if r["path"] == "/invoices"]
        self.assertEqual(
            [(q["page"], q["size"]) for q in pages], [("0", "200"), ("1", "200")]
        )

    def test_missing_credentials_are_reported_not_raised(self):
        self.bill_connection.client_id = False
        self.bill_connection.job_ids._cron_run()
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            "Vendor bills were not fetched: Connection Procountor Bills: fill in "
            "Client ID before talking to Procountor.",
        )
        self.assertEqual(self.sim.count(), 0)

    def test_unreadable_batch_is_fetched_again(self):
        supplier = self._supplier()
        self.sim.add_purchase_invoice(supplier, self.day)
        self.sim.add_purchase_invoice(supplier, self.day)
        self.sim.fail_next("GET", "/ledgerreceipts/*", status=503, count=4)
        self._run()
        self.assertFalse(self._bills())
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                failed=2,
                details=[
                    "2 Procountor bills could not be read and will be fetched again "
                    f"next time: {UNAVAILABLE}"
                ],
            ),
        )
        # Procountor lists nothing new; the ids kept for retry bring them in.
        self.bill_connection.bill_invoice_version = "2999-01-01T00:00:00"
        self._run()
        self.assertEqual(len(self._bills()), 2)
        self.assertEqual(
            self.bill_connection.bill_last_summary, self._summary(imported=2)
        )

    def test_unreadable_dimensions_fail_every_bill_that_has_them(self):
        project = next(
            d for d in self.sim.store.dimensions.values() if d["name"] == "Project"
        )
        rows = [
            {
                "product": "Subcontracting",
                "unitPrice": 100,
                "account": "4000",
                "dimensionItemValues": [
                    {
                        "dimensionId": project["id"],
                        "itemId": project["items"][0]["id"],
                        "value": 100,
                    }
                ],
            }
        ]
        supplier = self._supplier()
        first, _receipt = self.sim.add_purchase_invoice(supplier, self.day, rows=rows)
        second, _receipt = self.sim.add_purchase_invoice(supplier, self.day, rows=rows)
        plain, _receipt = self.sim.add_purchase_invoice(supplier, self.day)
        self.sim.fail_next("GET", "/dimensions", status=503, count=4)
        self._run()
        # Neither bill with dimensions comes in without its analytic share.
        self.assertEqual(self._bills().mapped("procountor_bill_id"), [plain["id"]])
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                imported=1,
                failed=2,
                details=[
                    f"Procountor bill {invoice['invoiceNumber']} from Toimittaja Oy: "
                    "its dimensions or its image could not be read and it will be "
                    f"fetched again next time: {UNAVAILABLE}"
                    for invoice in (first, second)
                ],
            ),
        )
        self._run()
        lines = self._bills().invoice_line_ids.filtered("analytic_distribution")
        self.assertEqual(
            set(lines.move_id.mapped("procountor_bill_id")), {first["id"], second["id"]}
        )
        self.assertEqual(
            set(lines.mapped(lambda line: next(iter(line.analytic_distribution)))),
            {str(self.analytic_p100.id)},
        )

    def test_attachment_failure_fails_that_bill_only(self):
        supplier = self._supplier()
        with_file, _receipt = self.sim.add_purchase_invoice(
            supplier, self.day, with_attachment=True
        )
        plain, _receipt = self.sim.add_purchase_invoice(supplier, self.day)
        self.sim.fail_next("GET", "/attachments/*", status=503, count=4)
        self._run()
        self.assertEqual(self._bills().mapped("procountor_bill_id"), [plain["id"]])
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                imported=1,
                failed=1,
                details=[
                    f"Procountor bill {with_file['invoiceNumber']} from Toimittaja Oy: "
                    "its dimensions or its image could not be read and it will be "
                    f"fetched again next time: {UNAVAILABLE}"
                ],
            ),
        )
        self._run()
        self.assertEqual(len(self._bills()), 2)


@tagged("post_install", "-at_install")
class TestBillScheduleAndRights(ProcountorBillCommon):
    def test_toggle_creates_and_switches_the_scheduled_action(self):
        connection = self.env["procountor.connection"].create(
            self._connection_values(name="Second", company_id=self.bill_company.id)
        )
        self.assertFalse(connection.job_ids)
        self.assertFalse(connection.bill_import_enabled)
        connection.with_user(self.accountant).write(
            {
                "bill_journal_id": self.bill_journal.id,
                "job_ids": [
                    Command.create(
                        {
                            "kind": "vendor_bills",
                            "interval_number": 2,
                            "interval_type": "days",
                        }
                    )
                ],
            }
        )
        job = connection.job_ids
        self.assertTrue(connection.bill_import_enabled)
        cron = job.cron_id
        self.assertRecordValues(
            cron,
            [
                {
                    "active": True,
                    "interval_number": 2,
                    "interval_type": "days",
                    "user_id": self.env.ref("base.user_root").id,
                    "code": f"model.browse({job.id})._cron_run()",
                }
            ],
        )
        self.assertTrue(job.nextcall)

        job.with_user(self.accountant).interval_number = 6
        self.assertEqual(cron.interval_number, 6)
        job.with_user(self.accountant).active = False
        self.assertFalse(cron.active)
        self.assertFalse(job.nextcall)
        self.assertFalse(connection.bill_import_enabled)
        job.active = True
        self.assertEqual(job.cron_id, cron)
        self.assertTrue(cron.active)
        connection.action_archive()
        self.assertFalse(cron.active)
        connection.unlink()
        self.assertFalse(cron.exists())

    def test_import_needs_a_journal(self):
        with self.assertRaises(ValidationError):
            self.env["procountor.connection"].create(
                self._connection_values(
                    name="No journal",
                    company_id=self.bill_company.id,
                    job_ids=[Command.create({"kind": "vendor_bills"})],
                )
            )

    def test_scheduled_action_imports(self):
        self.sim.add_purchase_invoice(self._supplier(), self.day)
        self.bill_connection.job_ids.cron_id.method_direct_trigger()
        self.assertEqual(len(self._bills()), 1)
        self.assertEqual(
            self.bill_connection.bill_last_summary, self._summary(imported=1)
        )

    def test_scheduled_action_of_a_disabled_import_does_nothing(self):
        self.sim.add_purchase_invoice(self._supplier(), self.day)
        self.bill_connection.job_ids.active = False
        self.bill_connection.job_ids._cron_run()
        self.assertFalse(self._bills())
        self.assertEqual(self.sim.count(), 0)

    def test_fetch_button_notifies_the_accountant(self):
        self.sim.add_purchase_invoice(self._supplier(), self.day)
        action = self.bill_connection.with_user(
            self.accountant
        ).action_fetch_vendor_bills()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(action["params"]["message"], self._summary(imported=1))
        move = self._bills().with_user(self.billing_user)
        self.assertEqual(move.procountor_bill_id, self.sim.invoices()[-1]["id"])

        self.sim.fail_next("GET", "/invoices", status=503, count=4)
        action = self.bill_connection.with_user(
            self.accountant
        ).action_fetch_vendor_bills()
        self.assertEqual(action["params"]["type"], "danger")

        for _n in range(12):
            self.sim.add_purchase_invoice(
                "Sivu Oy",
                self.day,
                rows=[{"product": "X", "unitPrice": 1, "account": "9999"}],
            )
        action = self.bill_connection.with_user(
            self.accountant
        ).action_fetch_vendor_bills()
        lines = action["params"]["message"].split("\n")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(len(lines), 12)
        self.assertEqual(lines[-1], "... and 2 more: see the Fetching Options tab.")

    def test_billing_users_cannot_run_or_configure_the_import(self):
        connection = self.bill_connection.with_user(self.billing_user)
        with self.assertRaises(AccessError):
            connection.action_fetch_vendor_bills()
        with self.assertRaises(AccessError):
            connection.job_ids.write({"active": False})
        with self.assertRaises(AccessError):
            connection.job_ids.write({"interval_number": 5})
        self.assertEqual(self.sim.count(), 0)

    def test_other_companys_journal_is_refused(self):
        other_journal = self.env["account.journal"].search(
            [
                ("type", "=", "purchase"),
                ("company_id", "=", self.env.ref("base.main_company").id),
            ],
            limit=1,
        )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.bill_connection.write({"bill_journal_id": other_journal.id})
        self.assertEqual(self.bill_connection.bill_journal_id, self.bill_journal)


@tagged("post_install", "-at_install")
class TestBillImportGenericChart(TestBillImport):
    """The main import flow on Odoo's generic chart with hand-made taxes."""

    bill_chart_template = "generic_coa"
    # Odoo's loader runs only a class's own test methods unless told otherwise.
    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
class TestBillAsProcountorBooked(ProcountorBillCommon):
    """VAT status and VAT amount of the bill exactly as Procountor booked them."""

    def _gross_bill(self, supplier=None, price=124.00):
        return self.sim.add_purchase_invoice(
            supplier or self._supplier("Kahvila Oy"),
            self.day,
            unit_prices_include_vat=True,
            rows=[
                {
                    "product": "Coffee machine",
                    "unitPrice": price,
                    "vatPercent": 25.5,
                    "account": "4000",
                }
            ],
        )

    def _tax_line_amount(self, move):
        return sum(
            move.line_ids.filtered(lambda line: line.display_type == "tax").mapped(
                "amount_currency"
            )
        )

    def test_124_incl_vat_is_imported_as_procountor_booked_it(self):
        invoice, _receipt = self._gross_bill()
        self.assertEqual(
            (
                invoice["invoiceSumInfo"][0]["excludingVatTotal"],
                invoice["invoiceSumInfo"][0]["vatSumTotal"],
            ),
            (98.8, 25.2),
        )
        run = self._run()
        self.assertEqual(run.failed, 0, run.failures)
        move = self._bills()
        # Odoo's own VAT of 98.80 at 25.5 % would be 25.19.
        self.assertRecordValues(
            move,
            [{"amount_untaxed": 98.8, "amount_tax": 25.2, "amount_total": 124.0}],
        )
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_255)
        self.assertAlmostEqual(self._tax_line_amount(move), 25.2)
        self.assertEqual(move.tax_totals["total_amount_currency"], 124.0)
        move.action_post()
        self.assertEqual(move.amount_total, 124.0)
        self.assertAlmostEqual(
            sum(
                move.line_ids.filtered(
                    lambda line: line.account_id.account_type == "liability_payable"
                ).mapped("balance")
            ),
            -124.0,
        )

    def test_a_difference_beyond_rounding_refuses_the_bill(self):
        # Four rows of 0.10 have 4 × 0.03 = 0.12 VAT in Procountor; a receipt
        # booking them on one row gives Odoo 0.10: two cents on one line is
        # more than rounding.
        invoice, _receipt = self.sim.add_purchase_invoice(
            self._supplier("Ruuvi Oy"),
            self.day,
            rows=[{"product": "Screw", "unitPrice": 0.10, "account": "4000"}] * 4,
            transactions=[
                {"account": "4000", "accountingValue": 0.40, "vatPercent": 25.5}
            ],
        )
        self._run()
        self.assertFalse(self._bills())
        self.assertEqual(
            self.bill_connection.bill_last_summary,
            self._summary(
                failed=1,
                details=[
                    f"Procountor bill {invoice['invoiceNumber']} from Ruuvi Oy: the "
                    "Odoo totals (untaxed 0.40, VAT 0.10, total 0.50 EUR) differ from "
                    "Procountor's (untaxed 0.40, VAT 0.12, total 0.52), so no bill "
                    "was created."
                ],
            ),
        )

    def test_one_cent_per_line_is_rounding(self):
        # The same rows booked on one row each: Odoo's 0.10 → 0.03 per row.
        self.sim.add_purchase_invoice(
            self._supplier("Ruuvi Oy"),
            self.day,
            rows=[{"product": "Screw", "unitPrice": 0.10, "account": "4000"}] * 2,
            transactions=[
                {"account": "4000", "accountingValue": 0.20, "vatPercent": 25.5}
            ],
        )
        self._run()
        self.assertRecordValues(
            self._bills(),
            [{"amount_untaxed": 0.2, "amount_tax": 0.06, "amount_total": 0.26}],
        )

    def test_transaction_without_status_takes_the_receipts(self):
        self.sim.set_reading("ledger_transaction_vat_status", "inherited")
        invoice, _receipt = self.sim.add_purchase_invoice(self._supplier(), self.day)
        receipt = self.bill_connection._procountor_client().get(
            f"/ledgerreceipts/{invoice['ledgerReceiptId']}"
        )
        entry = bills.entry_transactions(receipt)[0]
        self.assertIsNone(entry["vatStatus"])
        self.assertEqual(receipt["vatStatus"], 1)
        run = self._run()
        self.assertEqual(run.failed, 0, run.failures)
        # Of l10n_fi's four 25.5 % purchase taxes (domestic goods and services,
        # EU goods, EU services), the domestic ones stand for Domestic, and of
        # those the company's default purchase tax is taken.
        self.assertEqual(self._bills().invoice_line_ids.tax_ids, self.tax_255)
        self.assertEqual(self._bills().amount_total, 125.5)

    def test_the_tax_with_the_rows_status_is_chosen(self):
        statuses = {s.code: s for s in self.bill_connection.vat_status_ids}
        run = BillImportRun(self.bill_connection)
        Import = self.env["procountor.bill.import"]
        ref = self.env["account.chart.template"].with_company(self.bill_company).ref
        expected = {
            1: ref("tax_dom_purchase_goods_25_5"),
            21: ref("tax_eu_purchase_goods_25_5"),
            25: ref("tax_eu_purchase_service_25_5"),
        }
        for code, tax in expected.items():
            with self.subTest(status=statuses[code].name):
                chosen, note = Import._procountor_tax(
                    run, {"vat_percent": bills.dec(25.5), "vat_status": code}
                )
                self.assertEqual(chosen, tax)
                self.assertFalse(note)
        # A status set by a user wins over what the chart implies.
        services = ref("tax_dom_purchase_service_25_5")
        services.procountor_vat_status_id = statuses[12]
        chosen, _note = Import._procountor_tax(
            BillImportRun(self.bill_connection),
            {"vat_percent": bills.dec(25.5), "vat_status": 12},
        )
        self.assertEqual(chosen, services)

    def test_bills_are_right_under_every_reading(self):
        answers = [
            (name, value)
            for name, value in readings.variants()
            if name in BILL_READINGS
        ]
        self.assertEqual({name for name, _value in answers}, set(BILL_READINGS))
        for name, value in [(None, None), *answers]:
            with self.subTest(reading=name, answer=value):
                self._bills().unlink()
                self.bill_connection.write(
                    {
                        "bill_invoice_version": False,
                        "bill_receipt_version": False,
                        "bill_retry_ids": False,
                    }
                )
                self.sim.reset()
                self.env["procountor.connection"]._procountor_forget_clients()
                if name:
                    self.sim.set_reading(name, value)
                supplier = self._supplier()
                plain, _receipt = self.sim.add_purchase_invoice(
                    supplier,
                    self.day,
                    rows=[
                        {"product": "Rent", "unitPrice": 1000, "account": "6800"},
                        {
                            "product": "Screws",
                            "quantity": 3,
                            "unitPrice": 0.35,
                            "account": "4000",
                        },
                    ],
                )
                gross, _receipt = self._gross_bill(supplier)
                run = self._run()
                self.assertEqual((run.imported, run.failed), (2, 0), run.failures)
                moves = {m.procountor_bill_id: m for m in self._bills()}
                expected = plain["invoiceSumInfo"][0]
                self.assertRecordValues(
                    moves[plain["id"]],
                    [
                        {
                            "move_type": "in_invoice",
                            "amount_untaxed": 1001.05,
                            "amount_tax": expected["vatSumTotal"],
                            "amount_total": expected["invoiceSumTotal"],
                        }
                    ],
                )
                self.assertEqual(
                    moves[plain["id"]].invoice_line_ids.mapped("price_subtotal"),
                    [1000.0, 1.05],
                )
                self.assertEqual(
                    moves[plain["id"]].invoice_line_ids.tax_ids, self.tax_255
                )
                self.assertRecordValues(
                    moves[gross["id"]],
                    [
                        {
                            "move_type": "in_invoice",
                            "amount_untaxed": 98.8,
                            "amount_tax": 25.2,
                            "amount_total": 124.0,
                        }
                    ],
                )


@tagged("post_install", "-at_install")
class TestVatMappingProposal(ProcountorBillCommon):
    """Propose VAT Mapping on a company with Odoo's Finnish chart."""

    def _ref(self, xmlid):
        return (
            self.env["account.chart.template"]
            .with_company(self.bill_company)
            .ref(xmlid)
        )

    def _open(self):
        action = self.bill_connection.action_procountor_propose_vat_mapping()
        return self.env[action["res_model"]].browse(action["res_id"])

    def _expected(self):
        return {
            "eu": 5,
            "non_eu": 3,
            "construction": 26,
            "finland": 1,
            "tax_eu_sales_goods_0": 5,
            "tax_eu_sales_service_0": 24,
            "vat0export": 3,
            "tax_construct_sales_0": 26,
            "tax_dom_purchase_goods_25_5": 1,
            "tax_dom_purchase_service_14": 1,
            "tax_eu_purchase_goods_25_5": 21,
            "tax_eu_purchase_service_25_5": 25,
            "tax_construct_purchase_25_5": 23,
            "tax_non_eu_purchase_goods_25_5": 22,
        }

    def test_proposal_then_confirm(self):
        wizard = self._open()
        proposed = {
            (line.tax_id or line.fiscal_position_id): line.proposed_status_id.code
            for line in wizard.line_ids
            if line.state == "proposed"
        }
        for xmlid, code in self._expected().items():
            record = self._ref(xmlid)
            with self.subTest(record=xmlid):
                self.assertEqual(proposed.get(record), code)
                # Nothing is written before confirmation.
                self.assertFalse(record.procountor_vat_status_id)
        # Domestic sales taxes follow the invoice: no status proposed.
        self.assertNotIn(self._ref("tax_dom_sales_goods_25_5"), proposed)

        wizard.action_confirm()
        for xmlid, code in self._expected().items():
            with self.subTest(record=xmlid):
                self.assertEqual(self._ref(xmlid).procountor_vat_status_id.code, code)

    def test_a_status_set_by_a_user_is_kept(self):
        statuses = {s.code: s for s in self.bill_connection.vat_status_ids}
        eu = self._ref("eu")
        eu.procountor_vat_status_id = statuses[12]
        wizard = self._open()
        line = wizard.line_ids.filtered(lambda item: item.fiscal_position_id == eu)
        self.assertEqual(line.state, "kept")
        self.assertEqual(line.current_status_id, statuses[12])
        # Set meanwhile by someone else: kept as well.
        non_eu = self._ref("non_eu")
        non_eu.procountor_vat_status_id = statuses[1]
        wizard.action_confirm()
        self.assertEqual(eu.procountor_vat_status_id, statuses[12])
        self.assertEqual(non_eu.procountor_vat_status_id, statuses[1])
        self.assertEqual(self._ref("construction").procountor_vat_status_id.code, 26)

    def test_unknown_descriptions_propose_nothing(self):
        self.sim.remove_vat_status(5)
        self.sim.add_vat_status(55, "EU community sales (product), triangulation")
        self.sim.add_vat_status(
            56, "EU community sales (product), new means of transport"
        )
        self.bill_connection._procountor_store_vat_settings(self.sim.vats_default, {})
        wizard = self._open()
        line = wizard.line_ids.filtered(
            lambda item: item.fiscal_position_id == self._ref("eu")
        )
        self.assertEqual(line.state, "none")
        self.assertFalse(line.proposed_status_id)
