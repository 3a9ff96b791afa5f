# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common_registers import ProcountorRegistersCommon


@tagged("post_install", "-at_install")
class TestProductImport(ProcountorRegistersCommon):
    """The simulator starts with three sales products: Consulting (CONS,
    hours, 25.5 %), Widget (WID-1, pieces, 25.5 %) and Book (BOOK, 14 %), and
    two purchase products."""

    def setUp(self):
        super().setUp()
        self.consulting = self.sim.products(code="CONS")[0]
        self.widget = self.sim.products(code="WID-1")[0]
        self.book = self.sim.products(code="BOOK")[0]

    def _open(self, user=None):
        connection = self.connection.with_user(user) if user else self.connection
        action = connection.action_open_product_import()
        return (
            self.env["procountor.product.import"]
            .with_user(user or self.env.user)
            .browse(action["res_id"])
        )

    def _line(self, wizard, remote):
        return wizard.line_ids.filtered(lambda line: line.procountor_id == remote["id"])

    def _product(self, name, **values):
        return self.env["product.product"].create({"name": name, **values})

    def test_fetch_lists_sales_products_with_unit_and_tax(self):
        wizard = self._open()
        self.assertEqual(wizard.line_ids.mapped("code"), ["CONS", "WID-1", "BOOK"])
        consulting = self._line(wizard, self.consulting)
        self.assertEqual(consulting.unit, "HOUR")
        self.assertEqual(consulting.uom_id, self.env.ref("uom.product_uom_hour"))
        self.assertEqual(consulting.tax_id, self.tax_25_5)
        self.assertEqual(consulting.price, 120.0)
        # Two 14 % sales taxes: the choice is left to the user.
        self.assertFalse(self._line(wizard, self.book).tax_id)
        self.assertEqual(self.sim.count("GET", "/products"), 1)

    def test_match_by_code_then_barcode_then_name(self):
        by_code = self._product("Something else", default_code=" cons ")
        by_barcode = self._product("Gadget", barcode="WID-1")
        by_name = self._product("BOOK")
        wizard = self._open()
        self.assertEqual(
            [
                (line.action, line.product_id, line.match_rule)
                for line in wizard.line_ids
            ],
            [
                ("update", by_code, "code"),
                ("update", by_barcode, "barcode"),
                ("update", by_name, "name"),
            ],
        )

    def test_code_wins_over_barcode_over_name(self):
        self._product("Widget")
        by_barcode = self._product("Gadget", barcode="wid-1")
        line = self._line(self._open(), self.widget)
        self.assertEqual((line.product_id, line.match_rule), (by_barcode, "barcode"))
        by_code = self._product("Vempain", default_code="WID-1")
        line = self._line(self._open(), self.widget)
        self.assertEqual((line.product_id, line.match_rule), (by_code, "code"))

    def test_same_name_with_another_code_is_another_product(self):
        self._product("Book", default_code="BOOK-2")
        line = self._line(self._open(), self.book)
        self.assertEqual((line.action, line.match_rule), ("create", False))

    def _own_taxes(self, product):
        return product.taxes_id.filtered(lambda tax: tax.company_id == self.company)

    def test_apply_creates_links_and_skips(self):
        existing = self._product("Widget (Odoo)", default_code="WID-1")
        wizard = self._open()
        book = self._line(wizard, self.book)
        book.write({"tax_id": self.tax_14.id})
        wizard.action_apply()
        self.assertEqual(existing.procountor_id, self.widget["id"])
        consulting = self._line(wizard, self.consulting).product_id
        self.assertEqual(consulting.procountor_id, self.consulting["id"])
        self.assertEqual(consulting.name, "Consulting")
        self.assertEqual(consulting.default_code, "CONS")
        self.assertEqual(consulting.lst_price, 120.0)
        self.assertEqual(consulting.type, "service")
        self.assertEqual(consulting.uom_id, self.env.ref("uom.product_uom_hour"))
        # Odoo adds the default taxes of the database's other companies (e.g.
        # a localization's demo company) to a product shared by all of them.
        self.assertEqual(self._own_taxes(consulting), self.tax_25_5)
        self.assertEqual(self._own_taxes(book.product_id), self.tax_14)
        self.assertEqual(book.product_id.type, "consu")
        self.assertEqual(
            wizard.summary, "Updated: 1, created: 2, skipped: 0, failed: 0."
        )

    def test_unmatched_vat_percent_leaves_no_default_tax(self):
        wizard = self._open()
        wizard.action_apply()
        self.assertFalse(self._own_taxes(self._line(wizard, self.book).product_id))

    def test_gross_procountor_prices_become_net_prices(self):
        self.connection.unit_prices_include_vat_sales = True
        wizard = self._open()
        wizard.action_apply()
        self.assertEqual(
            self._line(wizard, self.consulting).product_id.lst_price, 95.62
        )

    def test_skip_and_rerun_never_duplicate(self):
        wizard = self._open()
        self._line(wizard, self.book).action = "skip"
        wizard.action_apply()
        count = self.env["product.product"].search_count([])
        wizard.action_apply()
        self.assertEqual(self.env["product.product"].search_count([]), count)
        again = self._open()
        self.assertEqual(again.line_ids.mapped("code"), ["BOOK"])
        again.action_apply()
        self.assertEqual(self.env["product.product"].search_count([]), count + 1)
        self.assertFalse(self._open().line_ids)

    def test_billing_user_may_neither_link_nor_create_products(self):
        existing = self._product("Widget (Odoo)", default_code="WID-1")
        wizard = self._open(self.clerk)
        wizard.action_find_products()
        wizard.action_apply()
        self.assertFalse(existing.procountor_id)
        self.assertEqual(
            self._line(wizard, self.widget).error,
            "you are not allowed to link records to Procountor IDs; ask an accounting "
            "administrator to apply this line.",
        )
        line = self._line(wizard, self.consulting)
        self.assertEqual(line.result, "failed")
        self.assertEqual(
            line.error,
            "you are not allowed to create products; ask an accounting administrator "
            "to add them.",
        )
        self.assertIn(
            f"Consulting (Procountor ID {self.consulting['id']}): you are not allowed",
            wizard.summary,
        )

    def test_manager_creates_products(self):
        wizard = self._open(self.manager)
        wizard.action_apply()
        self.assertEqual(
            wizard.summary, "Updated: 0, created: 3, skipped: 0, failed: 0."
        )

    def test_new_product_without_a_matching_tax_is_warned_about(self):
        wizard = self._open()
        book = self._line(wizard, self.book)
        # Two 14 % sales taxes: none is suggested, so the product would get none.
        self.assertEqual(
            book.tax_warning,
            "Product Book would be added without a sales tax: no Odoo sales tax has "
            "its Procountor VAT rate of 14 %; choose one under Sales Tax.",
        )
        self.assertFalse(self._line(wizard, self.consulting).tax_warning)
        book.tax_id = self.tax_14
        self.assertFalse(book.tax_warning)
        book.tax_id = False
        book.action = "skip"
        self.assertFalse(book.tax_warning, "nothing is added")

    def test_apply_remaining_only_while_lines_remain(self):
        existing = self._product("Widget (Odoo)", default_code="WID-1")
        wizard = self._open(self.clerk)
        wizard.action_find_products()
        self.assertTrue(wizard.has_remaining)
        wizard.action_apply()
        # A billing user may create nothing: every line failed and remains.
        self.assertTrue(wizard.has_remaining)
        self.assertFalse(existing.procountor_id)
        wizard = self._open()
        wizard.action_apply()
        self.assertEqual(set(wizard.line_ids.mapped("result")), {"created", "updated"})
        self.assertFalse(wizard.has_remaining)

    def test_apply_remaining_ignores_lines_set_to_do_nothing(self):
        wizard = self._open()
        self._line(wizard, self.book).action = "skip"
        wizard.action_apply()
        self.assertFalse(wizard.has_remaining)
        self._line(wizard, self.book).action = "create"
        self.assertTrue(wizard.has_remaining)

    def test_wizard_opens_extra_large(self):
        action = self.connection.action_open_product_import()
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"]["dialog_size"], "extra-large")
