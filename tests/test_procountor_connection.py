# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import socket

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from ..procountor_simulator.seed import DEFAULT_IBAN, make_iban
from .common import ProcountorCommon


def _closed_loopback_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestConnectionButtons(ProcountorCommon):
    def test_test_connection_success_shows_company(self):
        action = self.connection.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.connection.procountor_company_name, "Simulated Oy")
        company = self.sim.company
        self.assertEqual(
            self.connection.procountor_business_id,
            company["businessIdentifier"]["code"],
        )
        self.assertTrue(self.connection.last_test_ok)
        self.assertTrue(self.connection.last_test_date)
        self.assertIn("Simulated Oy", self.connection.last_test_message)
        self.assertEqual(self.sim.count("POST", "/oauth/token"), 1)
        self.assertEqual(self.sim.count("GET", "/company"), 1)

    def test_test_connection_reads_the_bank_accounts(self):
        """The receiving bank account is chosen right after the first test:
        the form already lists the Procountor company's IBANs."""
        other = make_iban("FI", "98765400000123")
        closed = make_iban("FI", "11122200000444")
        self.sim.add_bank_account(other)
        self.sim.add_bank_account(closed, status="INACTIVE")
        self.assertFalse(self.connection.procountor_ibans)
        self.connection.action_test_connection()
        self.assertEqual(
            self.connection.procountor_ibans, " ".join(sorted([DEFAULT_IBAN, other]))
        )
        self.assertEqual(self.sim.count("GET", "/bankaccounts"), 1)
        self.assertEqual(len(self.sim.requests), 3, "token, company, bank accounts")

    def test_failed_bank_account_read_fails_the_test(self):
        self.sim.fail_next("GET", "/bankaccounts", status=403)
        self.connection.action_test_connection()
        self.assertFalse(self.connection.last_test_ok)
        self.assertEqual(
            self.connection.last_test_message,
            "Connection Simulated Procountor: the Procountor user of this API Key "
            "lacks the rights for this action; grant them in Procountor.",
        )
        self.assertFalse(self.connection.procountor_ibans)

    def test_token_is_reused_across_buttons(self):
        self.connection.action_test_connection()
        self.connection.action_test_connection()
        self.connection.action_fetch_vat_settings()
        self.assertEqual(self.sim.token_requests, 1)
        self.assertEqual(self.sim.count("GET", "/company"), 2)

    def test_bad_credentials(self):
        self.connection.sudo().api_key = "not-a-key"
        action = self.connection.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertFalse(self.connection.last_test_ok)
        self.assertEqual(
            self.connection.last_test_message,
            "Connection Simulated Procountor: Procountor rejected the Client ID, "
            "Client Secret or API Key; check them on the connection.",
        )
        self.assertEqual(action["params"]["message"], self.connection.last_test_message)
        self.assertFalse(self.connection.procountor_company_name)
        self.assertEqual(self.sim.count("GET", "/company"), 0)

    def test_host_unreachable(self):
        url = f"http://127.0.0.1:{_closed_loopback_port()}/api"
        self.connection.custom_url = url
        self.connection.action_test_connection()
        self.assertFalse(self.connection.last_test_ok)
        self.assertEqual(
            self.connection.last_test_message,
            f"Connection Simulated Procountor: Procountor could not be reached at "
            f"{url}; check the API URL and the network.",
        )

    def test_tls_failure(self):
        # The simulator speaks plain HTTP: a TLS handshake with it fails the
        # way a server with a bad certificate does, without leaving loopback.
        url = self.server.base_url.replace("http://", "https://")
        self.connection.custom_url = url
        self.connection.action_test_connection()
        self.assertFalse(self.connection.last_test_ok)
        self.assertEqual(
            self.connection.last_test_message,
            f"Connection Simulated Procountor: the secure connection to {url} "
            f"failed; check the API URL and the server's certificate.",
        )

    def test_missing_rights(self):
        self.sim.fail_next("GET", "/company", status=403)
        self.connection.action_test_connection()
        self.assertFalse(self.connection.last_test_ok)
        self.assertEqual(
            self.connection.last_test_message,
            "Connection Simulated Procountor: the Procountor user of this API Key "
            "lacks the rights for this action; grant them in Procountor.",
        )

    def test_temporary_unavailability_is_retried_in_the_background(self):
        self.sim.fail_next("GET", "/company", status=503, count=2)
        with self.connection._procountor_api() as client:
            self.assertEqual(client.get_company()["name"], "Simulated Oy")
        self.assertEqual(self.sim.count("GET", "/company"), 3)

    def test_button_reports_temporary_unavailability_after_one_attempt(self):
        # A user waits on the button: one attempt, then one sentence.
        self.sim.fail_next("GET", "/company", status=503, count=2)
        self.connection.action_test_connection()
        self.assertFalse(self.connection.last_test_ok)
        self.assertEqual(
            self.connection.last_test_message,
            "Connection Simulated Procountor: Procountor is temporarily unavailable; "
            "try again later.",
        )
        self.assertEqual(self.sim.count("GET", "/company"), 1)

    def test_missing_credentials_named(self):
        self.connection.sudo().write({"api_key": False, "client_id": False})
        with self.assertRaisesRegex(
            UserError, r"Simulated Procountor: fill in Client ID, API Key before"
        ):
            self.connection.action_test_connection()
        self.assertEqual(self.sim.requests, [])

    def test_failure_is_logged_without_secrets(self):
        self.connection.sudo().api_key = "wrong-key"
        self.connection.action_test_connection()
        logs = self.env["procountor.log"].search(
            [("connection_id", "=", self.connection.id)]
        )
        self.assertEqual(len(logs), 1)
        self.assertEqual(
            (logs.method, logs.path, logs.status_code), ("POST", "/oauth/token", 401)
        )
        self.assertFalse(logs.success)
        self.assertIn("client_secret=***", logs.request_body)
        self.assertNotIn("wrong-key", logs.request_body)
        self.assertNoSecretsIn([logs.request_body, logs.response_body, logs.error])

    def test_success_is_logged_and_token_redacted(self):
        self.connection.action_test_connection()
        logs = self.env["procountor.log"].search(
            [("connection_id", "=", self.connection.id)], order="id"
        )
        self.assertEqual(
            logs.mapped("path"), ["/oauth/token", "/company", "/bankaccounts"]
        )
        self.assertEqual(logs.mapped("status_code"), [200, 200, 200])
        token_log = logs[0]
        self.assertIn('"access_token": "***"', token_log.response_body)
        for token in self.sim.issued_tokens:
            for log in logs:
                self.assertNotIn(token, log.response_body or "")
                self.assertNotIn(token, log.request_body or "")
        self.assertIn("Simulated Oy", logs[1].response_body)
        self.assertNoSecretsIn(
            logs.mapped("request_body") + logs.mapped("response_body")
        )
        self.assertEqual(self.connection.log_count, 3)

    def test_fetch_vat_settings_and_refetch(self):
        self.connection.action_fetch_vat_settings()
        statuses = self.connection.vat_status_ids
        self.assertEqual(
            sorted(statuses.mapped("code")),
            sorted(s["vatStatus"] for s in self.sim.vats_default["vatStatuses"]),
        )
        domestic = statuses.filtered(lambda s: s.code == 1)
        self.assertEqual(domestic.name, "Domestic")
        self.assertTrue(domestic.sales)
        rates = self.connection.vat_rate_ids
        self.assertIn(25.5, rates.mapped("percent"))
        self.assertEqual(set(rates.mapped("country_id.code")), {"FI"})
        self.assertEqual(set(rates.mapped("procountor_country")), {"FINLAND"})
        self.assertFalse(self.connection.unit_prices_include_vat_sales)
        self.assertTrue(self.connection.unit_prices_include_vat_purchase)
        self.assertTrue(self.connection.vat_fetch_date)

        # A second fetch updates: same records, plus what Procountor added,
        # and archives what it no longer lists.
        self.sim.add_vat_status(99, "Construction service sales", sales=True)
        self.sim.add_vat_percent(24.0, country="SWEDEN", sales=True, purchase=False)
        self.sim.remove_vat_status(12)
        self.connection.action_fetch_vat_settings()
        self.assertEqual(
            self.connection.vat_status_ids.filtered(lambda s: s.code == 1), domestic
        )
        self.assertEqual(
            sorted(self.connection.vat_status_ids.mapped("code")),
            sorted(s["vatStatus"] for s in self.sim.vats_default["vatStatuses"]),
        )
        self.assertNotIn(12, self.connection.vat_status_ids.mapped("code"))
        archived = (
            self.env["procountor.vat.status"]
            .with_context(active_test=False)
            .search([("connection_id", "=", self.connection.id), ("code", "=", 12)])
        )
        self.assertEqual(len(archived), 1)
        self.assertFalse(archived.active)
        swedish = self.connection.vat_rate_ids.filtered(
            lambda r: r.procountor_country == "SWEDEN"
        )
        self.assertEqual((swedish.percent, swedish.country_id.code), (24.0, "SE"))
        self.assertEqual(
            len(self.connection.vat_rate_ids.filtered(lambda r: r.percent == 25.5)), 1
        )

    def test_fetch_vat_settings_failure_keeps_data(self):
        self.connection.action_fetch_vat_settings()
        count = len(self.connection.vat_status_ids)
        self.sim.fail_next("GET", "/vats/default", status=403)
        action = self.connection.action_fetch_vat_settings()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("lacks the rights", action["params"]["message"])
        self.assertEqual(len(self.connection.vat_status_ids), count)

    def test_billing_user_can_test_but_not_edit(self):
        connection = self.connection.with_user(self.billing_user)
        connection.action_test_connection()
        self.assertTrue(connection.last_test_ok)
        with self.assertRaises(AccessError):
            connection.write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            connection.action_fetch_vat_settings()
        self.assertEqual(self.sim.count("GET", "/vats/default"), 0)


@tagged("post_install", "-at_install")
class TestConnectionSecurity(ProcountorCommon):
    SECRETS = ("client_secret", "api_key")

    def test_accountant_cannot_read_secrets(self):
        connection = self.connection.with_user(self.accountant)
        values = connection.read()[0]
        for field in self.SECRETS:
            self.assertNotIn(field, values)
            with self.assertRaises(AccessError):
                connection.read([field])
        self.assertEqual(values["client_id"], "sim-client-id")
        self.assertTrue(values["credentials_set"])
        fields_info = connection.fields_get()
        for field in self.SECRETS:
            self.assertNotIn(field, fields_info)

    def test_accountant_cannot_write_secrets(self):
        connection = self.connection.with_user(self.accountant)
        for field in self.SECRETS:
            with self.assertRaises(AccessError):
                connection.write({field: "stolen"})
        self.assertEqual(self.connection.sudo().api_key, "sim-api-key")

    def test_accountant_form_has_no_secret_fields(self):
        arch = (
            self.env["procountor.connection"]
            .with_user(self.accountant)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for field in self.SECRETS:
            self.assertNotIn(f'name="{field}"', arch)
        arch = self.env["procountor.connection"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertIn('name="api_key"', arch)

    def test_accountant_can_use_connection_without_seeing_secrets(self):
        self.connection.with_user(self.accountant).action_test_connection()
        self.assertTrue(self.connection.last_test_ok)

    def test_administrator_reads_secrets(self):
        values = self.connection.read(list(self.SECRETS))[0]
        self.assertEqual(values["api_key"], "sim-api-key")
        self.assertEqual(values["client_secret"], "sim-client-secret")

    def test_secrets_not_tracked(self):
        for field in self.SECRETS:
            self.assertFalse(self.connection._fields[field].copy)
        self.assertFalse(hasattr(self.connection, "message_ids"))

    def test_duplicate_keeps_client_and_clears_api_key(self):
        copy = self.connection.copy()
        self.assertEqual(copy.client_id, self.connection.client_id)
        self.assertEqual(copy.sudo().client_secret, "sim-client-secret")
        self.assertFalse(copy.sudo().api_key)
        self.assertFalse(copy.credentials_set)
        self.assertEqual(copy.name, "Simulated Procountor (copy)")

    def test_accountant_duplicates_without_reading_secrets(self):
        copy = self.connection.with_user(self.accountant).copy()
        self.assertEqual(copy.sudo().client_secret, "sim-client-secret")
        self.assertFalse(copy.sudo().api_key)

    def test_multi_company_rule(self):
        other_company = self.env["res.company"].create({"name": "Other Oy"})
        other = self.env["procountor.connection"].create(
            self._connection_values(
                name="Other connection", company_id=other_company.id
            )
        )
        Connection = self.env["procountor.connection"].with_user(self.accountant)
        visible = Connection.search([("id", "in", (self.connection | other).ids)])
        self.assertEqual(visible, self.connection)
        with self.assertRaises(AccessError):
            other.with_user(self.accountant).read(["name"])
        self.accountant.company_ids |= other_company
        visible = Connection.with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        ).search([("id", "in", (self.connection | other).ids)])
        self.assertEqual(visible, self.connection | other)

    def test_company_chooses_its_connection(self):
        self.company.procountor_connection_id = self.connection
        other_company = self.env["res.company"].create({"name": "Other Oy"})
        with self.assertRaisesRegex(Exception, "belongs to"):
            other_company.procountor_connection_id = self.connection

    def test_default_connection_installed(self):
        default = self.env.ref("procountor_connector.procountor_connection_default")
        self.assertEqual(default.company_id, self.env.ref("base.main_company"))
        self.assertEqual(
            self.env.ref("base.main_company").procountor_connection_id, default
        )


@tagged("post_install", "-at_install")
class TestConnectionForm(ProcountorCommon):
    """The connection form, as the web client receives it."""

    def _arch(self, user=None):
        Connection = self.env["procountor.connection"]
        if user:
            Connection = Connection.with_user(user)
        return etree.fromstring(
            Connection.get_views([(False, "form")])["views"]["form"]["arch"]
        )

    def test_one_form_view_without_extensions(self):
        views = self.env["ir.ui.view"].search(
            [("model", "=", "procountor.connection"), ("type", "=", "form")]
        )
        self.assertEqual(
            views, self.env.ref("procountor_connector.procountor_connection_view_form")
        )
        self.assertFalse(views.inherit_children_ids)

    def test_everyday_actions_in_the_header_setup_apart(self):
        arch = self._arch()
        header = {node.get("name") for node in arch.iterfind("./header/button")}
        self.assertEqual(
            header,
            {
                "action_test_connection",
                "action_procountor_fetch_payments",
                "action_fetch_vendor_bills",
                "action_open_partner_import",
                "action_open_product_import",
            },
        )
        # In the header, Test Connection is the main action until it succeeds.
        test_button = arch.find("./header/button[@name='action_test_connection']")
        self.assertIn("btn-primary", test_button.get("class"))
        self.assertEqual(test_button.get("invisible"), "last_test_ok")
        setup = {
            node.get("name") for node in arch.iterfind(".//page[@name='setup']//button")
        }
        self.assertEqual(
            setup,
            {
                "action_test_connection",
                "action_fetch_vat_settings",
                "action_procountor_propose_vat_mapping",
            },
        )
        # A billing user gets the everyday actions, not the manager's ones.
        arch = self._arch(self.billing_user)
        header = {node.get("name") for node in arch.iterfind("./header/button")}
        self.assertIn("action_open_partner_import", header)
        self.assertNotIn("action_fetch_vendor_bills", header)

    def test_credentials_say_where_procountor_shows_them(self):
        info = self.env["procountor.connection"].fields_get(
            ["client_id", "client_secret", "api_key"], ["help"]
        )
        self.assertIn("API client", info["client_id"]["help"])
        self.assertIn("Client ID", info["client_secret"]["help"])
        self.assertIn("API client keys, New API key", info["api_key"]["help"])

    def test_new_receiving_bank_account_belongs_to_the_company(self):
        """Creating the receiving bank account from the connection's field
        (quick create or Create and edit) makes the company its holder."""
        self.connection.bank_account_id = False
        node = self._arch().find(".//field[@name='bank_account_id']")
        context = safe_eval(
            node.get("context"),
            {"company_partner_id": self.connection.company_partner_id.id},
        )
        with Form(self.env["res.partner.bank"].with_context(**context)) as bank_form:
            bank_form.acc_number = make_iban("FI", "98765400000123")
        bank = bank_form.record
        self.assertEqual(bank.partner_id, self.company.partner_id)
        with Form(self.connection) as connection_form:
            connection_form.bank_account_id = bank
        self.assertEqual(self.connection.bank_account_id, bank)

    def test_invoicing_user_reaches_the_connection_from_customers(self):
        """README: Invoicing > Customers > Procountor for a user with only
        the Invoicing right; the Configuration menu is for administrators."""
        Menu = self.env["ir.ui.menu"]
        everyday = self.env.ref(
            "procountor_connector.procountor_connection_menu_invoicing"
        )
        setup = self.env.ref("procountor_connector.procountor_connection_menu")
        self.assertEqual(
            everyday.parent_id, self.env.ref("account.menu_finance_receivables")
        )

        def reachable(menu, user):
            # The web client shows a menu when it and all its parents are visible.
            visible = Menu.with_user(user)._visible_menu_ids()
            return all(
                menu.id in visible
                for menu in menu.search([("id", "parent_of", menu.id)])
            )

        self.assertTrue(reachable(everyday, self.billing_user))
        self.assertFalse(reachable(setup, self.billing_user))
        self.assertTrue(reachable(setup, self.accountant))
        self.assertTrue(reachable(everyday, self.accountant))
