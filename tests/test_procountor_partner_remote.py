# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree
from markupsafe import Markup

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..procountor_api import ProcountorUnknownOutcome, ProcountorValidationError
from .common_registers import ProcountorRegistersCommon


@tagged("post_install", "-at_install")
class TestPartnerRemote(ProcountorRegistersCommon):
    def _ensure(self, partners, **kwargs):
        return partners._procountor_ensure_remote(self.connection, **kwargs)

    def test_name_cut_to_procountors_limit_is_noted_on_the_contact(self):
        name = "Pohjois-Pohjanmaan Rakennus- ja Kiinteistöpalvelut Osakeyhtiö " * 2
        partner = self._company(name.strip())
        self._ensure(partner)
        remote = self.sim.store.partners[partner.procountor_customer_id]
        self.assertEqual(len(remote["name"]), 80)
        self.assertTrue(partner.name.startswith(remote["name"]))
        self.assertEqual(
            partner.message_ids[0].body,
            Markup(
                "<p>Procountor accepts names of at most 80 characters: connection "
                f"{self.connection.display_name} created this record there as "
                f"“{remote['name']}”.</p>"
            ),
        )
        short = self._company("Lyhyt Oy")
        self._ensure(short)
        self.assertFalse(short.message_ids.filtered(lambda m: "80" in m.body))

    def test_missing_customer_is_created_with_its_data(self):
        partner = self._company(
            "Testiasiakas Oy",
            company_registry="1234567-1",
            ref="C-42",
            email="Laskut <laskut@testiasiakas.example>",
            phone="+358 9 123 456",
            street="Testikatu 5",
            street2="c/o Toimisto",
            zip="00100",
            city="Helsinki",
            country_id=self.finland.id,
            procountor_einvoice_address="0037 1234567-1",
            procountor_einvoice_operator="003721291126",
            procountor_invoice_channel="ELECTRONIC_INVOICE",
            property_payment_term_id=self.term_14_days.id,
        )
        self.env["res.partner"].create(
            [
                {
                    "parent_id": partner.id,
                    "type": "invoice",
                    "name": "Testiasiakas Oy / Reskontra",
                    "street": "PL 7",
                    "zip": "00020",
                    "city": "Helsinki",
                    "country_id": self.finland.id,
                },
                {
                    "parent_id": partner.id,
                    "type": "delivery",
                    "street": "Varastotie 3",
                    "zip": "01510",
                    "city": "Vantaa",
                    "country_id": self.finland.id,
                },
            ]
        )
        person = self.env["res.partner"].create(
            {"name": "Maija", "parent_id": partner.id}
        )

        ids = self._ensure(partner | person)

        remote = self.sim.partners(name="Testiasiakas Oy")
        self.assertEqual(len(remote), 1)
        remote = remote[0]
        self.assertEqual(ids, {partner.id: remote["id"]})
        self.assertEqual(partner.procountor_customer_id, remote["id"])
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 1)
        self.assertEqual(remote["type"], "CUSTOMER")
        self.assertEqual(
            remote["address"],
            {
                "name": "Testiasiakas Oy",
                "specifier": "c/o Toimisto",
                "street": "Testikatu 5",
                "zip": "00100",
                "city": "Helsinki",
                "country": "FINLAND",
            },
        )
        self.assertEqual(
            remote["billingAddress"]["name"], "Testiasiakas Oy / Reskontra"
        )
        self.assertEqual(remote["billingAddress"]["street"], "PL 7")
        self.assertEqual(remote["deliveryAddress"]["name"], "Testiasiakas Oy")
        self.assertEqual(remote["deliveryAddress"]["city"], "Vantaa")
        info = remote["invoicingInfo"]
        self.assertEqual(info["identifier"], "1234567-1")
        self.assertEqual(info["customerNumber"], "C-42")
        self.assertEqual(info["email"], "laskut@testiasiakas.example")
        self.assertEqual(info["einvoiceAddress"], "003712345671")
        self.assertEqual(info["einvoiceOperator"], "003721291126")
        self.assertEqual(info["invoiceChannel"], "ELECTRONIC_INVOICE")
        self.assertEqual(info["language"], "ENGLISH")
        self.assertEqual(remote["paymentInfo"]["paymentTermDays"], "14")
        self.assertEqual(remote["paymentInfo"]["paymentMethod"], "BANK_TRANSFER")
        self.assertEqual(remote["registryInfo"]["phone"], "+358 9 123 456")

    def test_second_call_costs_no_api_call(self):
        partner = self._company("Kerran Oy")
        first = self._ensure(partner)
        calls = self.sim.count()
        self.assertEqual(self._ensure(partner), first)
        self.assertEqual(self.sim.count(), calls)
        self.assertEqual(len(self.sim.partners(name="Kerran Oy")), 1)

    def test_existing_procountor_partner_is_linked_by_business_id(self):
        remote = self.sim.add_partner("Toinen Nimi Oy", identifier="1234567-1")
        partner = self._company("Testi Oy", company_registry=" 12345671 ")
        self.assertEqual(self._ensure(partner), {partner.id: remote["id"]})
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 0)
        self.assertEqual(partner.procountor_customer_id, remote["id"])
        request = [r for r in self.sim.requests if r["path"] == "/businesspartners"][0]
        headers = {name.lower(): value for name, value in request["headers"].items()}
        self.assertEqual(headers["identifier"], "1234567-1")
        self.assertEqual(request["query"]["type"], "CUSTOMER")

    def test_finnish_vat_number_finds_the_ytunnus(self):
        remote = self.sim.add_partner("Alv Oy", identifier="1234567-1")
        partner = self._company("Alv Oy", vat="FI12345671")
        self.assertEqual(self._ensure(partner), {partner.id: remote["id"]})
        self.assertEqual(self.sim.count("GET", "/businesspartners"), 2)
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 0)

    def test_existing_procountor_partner_is_linked_by_exact_name(self):
        remote = self.sim.add_partner("Nimi Oy", identifier=None)
        self.sim.add_partner("Nimi Oy Ab", identifier=None)
        partner = self._company("NIMI  oy")
        self.assertEqual(self._ensure(partner), {partner.id: remote["id"]})
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 0)

    def test_name_match_with_another_business_id_is_another_company(self):
        self.sim.add_partner("Sama Nimi Oy", identifier="7654321-5")
        partner = self._company("Sama Nimi Oy", company_registry="1234567-1")
        ids = self._ensure(partner)
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 1)
        created = self.sim.partners(id=ids[partner.id])[0]
        self.assertEqual(created["invoicingInfo"]["identifier"], "1234567-1")
        self.assertEqual(len(self.sim.partners(name="Sama Nimi Oy")), 2)

    def test_substring_name_is_not_a_match(self):
        self.sim.add_partner("Pitkä Nimi Oy Ab", identifier=None)
        partner = self._company("Pitkä Nimi Oy")
        self._ensure(partner)
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 1)

    def test_supplier_is_a_separate_procountor_partner(self):
        partner = self._company("Molemmat Oy", company_registry="1234567-1")
        customer = self._ensure(partner)[partner.id]
        supplier = self._ensure(partner, partner_type="SUPPLIER")[partner.id]
        self.assertNotEqual(customer, supplier)
        self.assertEqual(self.sim.partners(id=supplier)[0]["type"], "SUPPLIER")
        self.assertEqual(
            (partner.procountor_customer_id, partner.procountor_supplier_id),
            (customer, supplier),
        )

    def test_business_id_of_a_partner_linked_elsewhere_is_refused(self):
        remote = self.sim.add_partner("Tupla Oy", identifier="1234567-1")
        first = self._company("Tupla Oy", company_registry="1234567-1")
        first._procountor_set_id(self.connection, remote["id"])
        second = self._company("Tupla Oy (vanha)", company_registry="1234567-1")
        with self.assertRaises(UserError) as caught:
            self._ensure(second)
        self.assertEqual(
            caught.exception.args[0],
            f"Contact Tupla Oy (vanha) has the business ID of Procountor partner "
            f"{remote['id']} on connection Simulated Procountor, which is already "
            f"linked to contact Tupla Oy; merge the two contacts or correct the "
            f"business ID.",
        )
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 0)

    def test_option_off_refuses_with_one_sentence_and_no_call(self):
        self.connection.create_customers = False
        linked = self._company("Linkitetty Oy")
        linked._procountor_set_id(self.connection, 1000001)
        self.assertEqual(self._ensure(linked), {linked.id: 1000001})
        missing = self._company("Puuttuva Oy")
        with self.assertRaises(UserError) as caught:
            self._ensure(linked | missing)
        self.assertEqual(
            caught.exception.args[0],
            "Contact Puuttuva Oy has no Procountor customer ID on connection "
            "Simulated Procountor; link it with Fetch Procountor customers or turn "
            "on Create customers in Procountor on the connection.",
        )
        self.assertEqual(self.sim.count(), 0)

    def test_rejected_creation_propagates_and_links_nothing(self):
        self.sim.fail_next(
            "POST",
            "/businesspartners",
            status=400,
            body={"errors": [{"status": 400, "field": "name", "message": "INVALID"}]},
        )
        partner = self._company("Hylätty Oy")
        with self.assertRaises(ProcountorValidationError):
            self._ensure(partner)
        self.assertFalse(partner.procountor_customer_id)

    def test_lost_answer_is_found_on_the_next_try_instead_of_duplicated(self):
        self.sim.lose_response_next("POST", "/businesspartners")
        partner = self._company("Kadonnut Oy", company_registry="1234567-1")
        with self.assertRaises(ProcountorUnknownOutcome):
            self._ensure(partner)
        self.assertFalse(partner.procountor_customer_id)
        ids = self._ensure(partner)
        remote = self.sim.partners(name="Kadonnut Oy")
        self.assertEqual(len(remote), 1)
        self.assertEqual(ids, {partner.id: remote[0]["id"]})

    def test_calls_are_logged_against_the_contact(self):
        partner = self._company("Loki Oy")
        self._ensure(partner)
        logs = self.env["procountor.log"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertIn("/businesspartners", logs.mapped("path"))

    # ------------------------------------------------------------------
    # List action
    # ------------------------------------------------------------------
    def test_list_action_creates_links_and_is_idempotent(self):
        self.connection.create_customers = False  # an explicit request ignores it
        remote = self.sim.add_partner("Olemassa Oy", identifier="1234567-1")
        existing = self._company("Olemassa Oy", company_registry="1234567-1")
        new = self._company("Uusi Oy")
        linked = self._company("Valmis Oy")
        linked._procountor_set_id(self.connection, 1000002)
        partners = (existing | new | linked).with_user(self.clerk)

        action = partners.action_procountor_create_remote()

        self.assertEqual(
            action["params"]["message"],
            "1 created in Procountor, 1 linked to existing Procountor customers, "
            "1 already linked, 0 failed.",
        )
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(existing.procountor_customer_id, remote["id"])
        self.assertEqual(
            new.procountor_customer_id, self.sim.partners(name="Uusi Oy")[0]["id"]
        )
        action = partners.action_procountor_create_remote()
        self.assertEqual(
            action["params"]["message"],
            "0 created in Procountor, 0 linked to existing Procountor customers, "
            "3 already linked, 0 failed.",
        )
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 1)

    def test_list_action_reports_failures_and_keeps_the_rest(self):
        self.sim.fail_next("POST", "/businesspartners", status=403)
        first = self._company("Eka Oy")
        second = self._company("Toka Oy")
        action = (first | second).action_procountor_create_remote()
        lines = action["params"]["message"].split("\n")
        self.assertEqual(
            lines[0],
            "1 created in Procountor, 0 linked to existing Procountor customers, "
            "0 already linked, 1 failed.",
        )
        self.assertEqual(
            lines[1],
            "Eka Oy: Connection Simulated Procountor: the Procountor user of this API "
            "Key lacks the rights for this action; grant them in Procountor.",
        )
        self.assertEqual(action["params"]["type"], "warning")
        self.assertFalse(first.procountor_customer_id)
        self.assertTrue(second.procountor_customer_id)

    def test_list_action_without_connection(self):
        self.company.procountor_connection_id = False
        with self.assertRaises(UserError):
            self._company("Ei Yhteyttä Oy").action_procountor_create_remote()

    # ------------------------------------------------------------------
    # IDs on the contact: who may edit, search
    # ------------------------------------------------------------------
    def test_only_accounting_managers_edit_ids(self):
        partner = self._company("Oikeudet Oy")
        partner._procountor_set_id(self.connection, 1000001)
        as_clerk = partner.with_user(self.clerk)
        self.assertEqual(as_clerk.procountor_customer_id, 1000001)
        with self.assertRaises(AccessError):
            as_clerk.write({"procountor_customer_id": 1000099})
        as_clerk.write({"name": "Oikeudet Oy Ab"})  # the contact itself stays editable

        as_manager = partner.with_user(self.manager)
        as_manager.write(
            {"procountor_customer_id": 1000099, "procountor_supplier_id": 77}
        )
        self.assertEqual(partner.procountor_customer_id, 1000099)
        self.assertEqual(partner.procountor_supplier_id, 77)
        as_manager.write({"procountor_customer_id": 0})
        self.assertFalse(partner.procountor_customer_id)
        self.assertFalse(
            self.env["procountor.partner.link"].search(
                [("partner_id", "=", partner.id), ("partner_type", "=", "CUSTOMER")]
            )
        )

    def test_form_shows_ids_read_only_to_non_managers(self):
        def id_nodes(user):
            arch = (
                self.env["res.partner"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            return etree.fromstring(arch).xpath(
                "//field[@name='procountor_customer_id']"
            )

        clerk_nodes = id_nodes(self.clerk)
        self.assertEqual(len(clerk_nodes), 1)
        self.assertEqual(clerk_nodes[0].get("readonly"), "1")
        manager_nodes = id_nodes(self.manager)
        self.assertEqual(len(manager_nodes), 1)
        self.assertFalse(manager_nodes[0].get("readonly"))

    def test_search_by_procountor_id(self):
        linked = self._company("Haku Oy")
        linked._procountor_set_id(self.connection, 1000005)
        other = self._company("Ei Haku Oy")
        Partner = self.env["res.partner"]
        scope = [("id", "in", (linked | other).ids)]
        self.assertEqual(
            Partner.search(scope + [("procountor_customer_id", "!=", 0)]), linked
        )
        self.assertEqual(
            Partner.search(scope + [("procountor_customer_id", "=", 0)]), other
        )
        self.assertEqual(
            Partner.search(scope + [("procountor_customer_id", "=", 1000005)]), linked
        )

    def test_ids_belong_to_the_current_company_connection(self):
        partner = self._company("Kaksi Yhteyttä Oy")
        partner._procountor_set_id(self.connection, 1000001)
        other = self.connection.copy({"name": "Other company connection"})
        partner._procountor_set_id(other, 2000002)
        self.assertEqual(partner.procountor_customer_id, 1000001)
        self.assertEqual(partner._procountor_get_ids(other), {partner.id: 2000002})
