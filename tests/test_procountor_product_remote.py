# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..procountor_api.enums import UNITS
from .common_registers import ProcountorRegistersCommon


@tagged("post_install", "-at_install")
class TestProductRemote(ProcountorRegistersCommon):
    def _product(self, name, **values):
        return self.env["product.product"].create(
            {"name": name, "taxes_id": [(6, 0, self.tax_25_5.ids)], **values}
        )

    def _ensure(self, products):
        return products._procountor_ensure_remote(self.connection)

    def test_name_cut_to_procountors_limit_is_noted_on_the_product(self):
        product = self._product("Ilmanvaihtokoneen huolto ja suodattimien vaihto " * 3)
        self._ensure(product)
        remote = self.sim.store.products[product.procountor_id]
        self.assertEqual(len(remote["name"]), 100)
        self.assertIn(
            "Procountor accepts names of at most 100 characters: connection "
            f"{self.connection.display_name} created this record there as "
            f"“{remote['name']}”.",
            product.message_ids.mapped("body")[0],
        )

    def test_missing_product_is_created_with_its_data(self):
        product = self._product(
            "Asennustyö",
            default_code="ASE-1",
            list_price=80.0,
            uom_id=self.env.ref("uom.product_uom_hour").id,
            uom_po_id=self.env.ref("uom.product_uom_hour").id,
        )
        ids = self._ensure(product)
        remote = self.sim.products(code="ASE-1")
        self.assertEqual(len(remote), 1)
        self.assertEqual(ids, {product.id: remote[0]["id"]})
        self.assertEqual(product.procountor_id, remote[0]["id"])
        self.assertEqual(product.product_tmpl_id.procountor_id, remote[0]["id"])
        expected = {
            "type": "SALES",
            "name": "Asennustyö",
            "code": "ASE-1",
            "unit": "HOUR",
            "price": 80.0,
            "vat": 25.5,
            "discount": 0,
            "active": True,
            "currency": self.company.currency_id.name,
        }
        self.assertEqual({key: remote[0][key] for key in expected}, expected)
        calls = self.sim.count()
        self.assertEqual(self._ensure(product), ids)
        self.assertEqual(self.sim.count(), calls)

    def test_price_follows_the_vat_terms_of_both_sides(self):
        self.connection.unit_prices_include_vat_sales = True
        net = self._product("Netto", list_price=100.0)
        self._ensure(net)
        self.assertEqual(self.sim.products(name="Netto")[0]["price"], 125.5)

        self.connection.unit_prices_include_vat_sales = False
        gross_tax = self.tax_25_5.copy({"price_include_override": "tax_included"})
        gross = self._product(
            "Brutto", list_price=125.5, taxes_id=[(6, 0, gross_tax.ids)]
        )
        self._ensure(gross)
        self.assertEqual(self.sim.products(name="Brutto")[0]["price"], 100.0)

    def test_unmapped_unit_and_several_taxes_are_left_out(self):
        product = self._product(
            "Monta veroa",
            uom_id=self.env.ref("uom.product_uom_floz").id,
            uom_po_id=self.env.ref("uom.product_uom_floz").id,
            taxes_id=[(6, 0, (self.tax_14 | self.tax_25_5).ids)],
        )
        self._ensure(product)
        sent = [
            r["json"]
            for r in self.sim.requests
            if r["method"] == "POST" and r["path"] == "/products"
        ][0]
        self.assertNotIn("unit", sent)
        self.assertNotIn("vat", sent)

    def test_vat_rate_procountor_lacks_is_left_out(self):
        other_rate = self.tax_25_5.copy(
            {"name": "Not a Procountor rate", "amount": 17.0}
        )
        product = self._product("Outo vero", taxes_id=[(6, 0, other_rate.ids)])
        self._ensure(product)
        remote = self.sim.products(name="Outo vero")
        self.assertEqual(len(remote), 1)
        sent = [
            r["json"]
            for r in self.sim.requests
            if r["method"] == "POST" and r["path"] == "/products"
        ][0]
        self.assertNotIn("vat", sent)

    def test_existing_product_is_linked_by_code_ignoring_case(self):
        remote = self.sim.add_product("Toinen nimi", code="tst-1")
        self.sim.add_product("Pidempi koodi", code="TST-10")
        product = self._product("Testituote", default_code="TST-1")
        self.assertEqual(self._ensure(product), {product.id: remote["id"]})
        self.assertEqual(self.sim.count("POST", "/products"), 0)

    def test_existing_product_is_linked_by_exact_name(self):
        widget = self.sim.products(code="WID-1")[0]
        product = self._product("widget")
        self.assertEqual(self._ensure(product), {product.id: widget["id"]})
        self.assertEqual(self.sim.count("POST", "/products"), 0)

    def test_purchase_product_of_the_same_code_is_not_reused(self):
        self._ensure(self._product("Kopiopaperi", default_code="PAPER"))
        self.assertEqual(self.sim.count("POST", "/products"), 1)
        self.assertEqual(len(self.sim.products(code="PAPER")), 2)

    def test_product_linked_elsewhere_is_not_reused(self):
        widget = self.sim.products(code="WID-1")[0]
        first = self._product("Widget", default_code="WID-1")
        first._procountor_set_id(self.connection, widget["id"])
        second = self._product("Widget", default_code="WID-1")
        ids = self._ensure(second)
        self.assertNotEqual(ids[second.id], widget["id"])
        self.assertEqual(self.sim.count("POST", "/products"), 1)

    def test_option_off_refuses_with_one_sentence_and_no_call(self):
        self.connection.create_products = False
        product = self._product("Puuttuva tuote")
        with self.assertRaises(UserError) as caught:
            self._ensure(product)
        self.assertEqual(
            caught.exception.args[0],
            "Product Puuttuva tuote has no Procountor ID on connection Simulated "
            "Procountor; link it with Fetch Procountor products or turn on Create "
            "products in Procountor on the connection.",
        )
        self.assertEqual(self.sim.count(), 0)

    def test_template_list_action(self):
        product = self._product("Listalta", default_code="LIST-1")
        action = product.product_tmpl_id.with_user(self.clerk).product_variant_ids
        action = action.action_procountor_create_remote()
        self.assertEqual(
            action["params"]["message"],
            "1 created in Procountor, 0 linked to existing Procountor products, "
            "0 already linked, 0 failed.",
        )
        self.assertTrue(product.procountor_id)

    def test_only_accounting_managers_edit_ids(self):
        product = self._product("Oikeudet")
        template = product.product_tmpl_id
        # May edit products, but is no accounting manager.
        product_manager = new_test_user(
            self.env,
            login="procountor_product_manager",
            groups="account.group_account_invoice,product.group_product_manager",
        )
        template.with_user(product_manager).write({"list_price": 12.0})
        with self.assertRaises(AccessError):
            template.with_user(product_manager).write({"procountor_id": 5})
        self.assertEqual(template.with_user(product_manager).procountor_id, 0)

        template.with_user(self.manager).write({"procountor_id": 2000099})
        self.assertEqual(product.procountor_id, 2000099)
        self.assertEqual(
            self.env["product.template"].search([("procountor_id", "=", 2000099)]),
            template,
        )
        product.with_user(self.manager).write({"procountor_id": 0})
        self.assertFalse(template.procountor_id)


@tagged("post_install", "-at_install")
class TestUomUnits(ProcountorRegistersCommon):
    def test_standard_units_have_their_procountor_unit(self):
        expected = {
            "uom.product_uom_unit": "PIECE",
            "uom.product_uom_hour": "HOUR",
            "uom.product_uom_day": "DAY",
            "uom.product_uom_kgm": "KILOGRAM",
            "uom.product_uom_gram": "GRAM",
            "uom.product_uom_litre": "LITER",
            "uom.product_uom_meter": "METER",
            "uom.product_uom_km": "KILOMETER",
            "uom.uom_square_meter": "SQUARE_METER",
            "uom.product_uom_cubic_meter": "CUBIC_METER",
            "uom.product_uom_dozen": "DOZEN",
        }
        for xmlid, unit in expected.items():
            self.assertEqual(self.env.ref(xmlid)._procountor_unit(), unit, xmlid)
        self.assertFalse(self.env.ref("uom.product_uom_floz")._procountor_unit())
        units = set(
            self.env["uom.uom"]
            .search([("procountor_unit", "!=", False)])
            .mapped("procountor_unit")
        )
        self.assertLessEqual(units, set(UNITS))
