# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a user with an accounting login could try, and what they observe."""

import socket
import threading
import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged

from ..procountor_simulator import DEFAULT_CREDENTIALS
from .bill_common import ProcountorBillCommon
from .common import ProcountorCommon, ProcountorInvoiceCommon
from .common_registers import ProcountorRegistersCommon

SECRET = DEFAULT_CREDENTIALS["client_secret"]
API_KEY = DEFAULT_CREDENTIALS["api_key"]


class LoopbackTrap:
    """A server on 127.0.0.1 standing in for an attacker's: it keeps every
    byte it receives and answers each request 401 at once, or, with
    ``answer=False``, accepts it and never answers."""

    def __init__(self, answer=True):
        self.answer = answer
        self.received = bytearray()
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/api"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        with conn:
            conn.settimeout(60)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _sep, body = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _sep, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                self.received += head + b"\r\n\r\n" + body
                if not self.answer:
                    conn.recv(1)  # until the client gives up
                    return
                conn.sendall(
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
                )
            except OSError:
                return

    def close(self):
        self.sock.close()


@tagged("post_install", "-at_install")
class TestSecretDestination(ProcountorCommon):
    """Only a Settings administrator decides where the secrets are sent."""

    def setUp(self):
        super().setUp()
        self.trap = LoopbackTrap()
        self.addCleanup(self.trap.close)

    def assertTrapGotNoSecret(self):
        for secret in (SECRET, API_KEY):
            self.assertNotIn(secret.encode(), bytes(self.trap.received))

    def test_manager_cannot_send_the_secrets_to_own_server(self):
        connection = self.connection.with_user(self.accountant)
        with self.assertRaisesRegex(
            AccessError,
            "Connection Simulated Procountor: only Settings administrators may "
            "change Custom URL or enter the secrets",
        ):
            connection.write({"custom_url": self.trap.url})
        connection.action_test_connection()
        self.assertTrapGotNoSecret()
        self.assertEqual(self.trap.connections, 0)
        self.assertEqual(self.connection.custom_url, self.server.base_url)

    def test_manager_cannot_change_any_destination_field(self):
        connection = self.connection.with_user(self.accountant)
        for values in (
            {"environment": "production"},
            {"client_id": "attacker-client"},
            {"redirect_uri": "http://127.0.0.1:9/callback"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                connection.write(values)
        self.assertEqual(
            (self.connection.environment, self.connection.client_id),
            ("custom", DEFAULT_CREDENTIALS["client_id"]),
        )

    def test_manager_cannot_copy_the_secret_to_own_server(self):
        with self.assertRaises(AccessError):
            self.connection.with_user(self.accountant).copy(
                {"custom_url": self.trap.url}
            )
        self.assertFalse(
            self.env["procountor.connection"].search(
                [("custom_url", "=", self.trap.url)]
            )
        )

    def test_manager_still_edits_the_rest(self):
        connection = self.connection.with_user(self.accountant)
        # The form sends unchanged values too when nothing else differs.
        connection.write(
            {"name": "Renamed", "custom_url": self.server.base_url, "attach_pdf": True}
        )
        self.assertEqual(self.connection.name, "Renamed")
        self.assertTrue(connection.destination_locked)
        self.assertFalse(self.connection.destination_locked)

    def test_settings_administrator_points_the_connection(self):
        admin = new_test_user(
            self.env,
            login="procountor_settings_admin",
            groups="base.group_system,account.group_account_manager",
            company_id=self.company.id,
        )
        self.connection.with_user(admin).write({"custom_url": self.trap.url})
        self.assertEqual(self.connection.custom_url, self.trap.url)


@tagged("post_install", "-at_install")
class TestPlainHttp(ProcountorCommon):
    def test_plain_http_to_another_host_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError,
            r"Connection Simulated Procountor: the Custom URL must start with https://",
        ):
            self.connection.custom_url = "http://procountor.example.com/api"
        for url in (
            "http://localhost:8070/api",
            "http://[::1]:8070/api",
            "https://procountor.example.com/api",
        ):
            self.connection.custom_url = url
            self.assertEqual(self.connection.custom_url, url)

    def test_stored_plain_http_url_sends_nothing(self):
        self.env.cr.execute(
            "UPDATE procountor_connection SET custom_url = %s WHERE id = %s",
            ("http://procountor.example.com/api", self.connection.id),
        )
        self.connection.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "must start with https://"):
            self.connection.action_test_connection()


@tagged("post_install", "-at_install")
class TestButtonDeadline(ProcountorInvoiceCommon):
    """Buttons make one attempt per call with a short read timeout (10 s in
    tests, where Odoo raises shorter timeouts to 10 s); jobs keep retrying."""

    def test_silent_server_costs_one_attempt(self):
        trap = LoopbackTrap(answer=False)
        self.addCleanup(trap.close)
        self.connection.custom_url = trap.url
        started = time.monotonic()
        action = self.connection.with_user(self.accountant).action_test_connection()
        elapsed = time.monotonic() - started
        self.assertEqual(trap.connections, 1)
        self.assertLess(elapsed, 25)
        message = (
            f"Connection Simulated Procountor: Procountor at {trap.url} did not "
            "answer within 10 seconds; try again later."
        )
        self.assertEqual(self.connection.last_test_message, message)
        self.assertEqual(action["params"]["message"], message)

    def test_send_one_invoice_makes_one_attempt(self):
        move = self._invoice()
        self.sim.fail_next("GET", "/bankaccounts", status=503, count=3)
        move.action_procountor_send()
        self.assertEqual(self.sim.count("GET", "/bankaccounts"), 1)
        self.assertEqual(move.procountor_state, "error")
        self.assertIn("temporarily unavailable", move.procountor_error)

    def test_scheduled_job_keeps_its_retries(self):
        move = self._invoice()
        self.sim.fail_next("GET", "/bankaccounts", status=503, count=2)
        move._procountor_queue()
        self.env["account.move"]._cron_procountor_send_invoices()
        self.assertEqual(self.sim.count("GET", "/bankaccounts"), 3)
        self.assertEqual(move.procountor_state, "sent")


@tagged("post_install", "-at_install")
class TestSecretScrubbing(ProcountorInvoiceCommon):
    """Procountor answers that quote the secrets verbatim."""

    ECHO = f"value {API_KEY} (client {SECRET}) is not allowed here"

    def _echo_body(self, status):
        return {"errors": [{"status": status, "field": "notes", "message": self.ECHO}]}

    def test_echo_reaches_no_record_chatter_notification_or_log(self):
        move = self._invoice()
        self.sim.fail_next("POST", "/invoices", status=400, body=self._echo_body(400))
        with self.assertLogs("odoo.addons.procountor_connector", level="DEBUG") as logs:
            action = move.with_user(self.billing_user).action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        # The user reads the refusal in words; the technical detail, scrubbed,
        # is in the server log and the API log.
        self.assertIn("was refused", move.procountor_error)
        api_logs = self.env["procountor.log"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        self.assertTrue(api_logs.filtered(lambda log: log.status_code == 400))
        scrubbed = "value *** (client ***) is not allowed here"
        self.assertTrue(any(scrubbed in line for line in logs.output), logs.output)
        self.assertTrue(
            any(scrubbed in (body or "") for body in api_logs.mapped("response_body"))
        )
        self.assertNoSecretsIn(
            [
                action["params"]["message"],
                move.procountor_error,
                *move.with_user(self.billing_user).message_ids.mapped("body"),
                *logs.output,
                *api_logs.mapped("error"),
                *api_logs.mapped("response_body"),
            ]
        )

    def test_echo_in_a_retried_answer_stays_out_of_the_server_log(self):
        self.sim.fail_next("GET", "/company", status=503, body=self._echo_body(503))
        with self.assertLogs("odoo.addons.procountor_connector", level="DEBUG") as logs:
            with self.connection._procountor_api() as client:
                client.get_company()
        self.assertTrue(any("retry 1/" in line for line in logs.output))
        self.assertNoSecretsIn(logs.output)


@tagged("post_install", "-at_install")
class TestImportForgery(ProcountorRegistersCommon):
    """Fetch wizards link only what the fetch returned, with the user's rights."""

    FORGED_ID = 987654

    def _open(self, user, model="partner"):
        action = getattr(
            self.connection.with_user(user), f"action_open_{model}_import"
        )()
        return (
            self.env[f"procountor.{model}.import"]
            .with_user(user)
            .browse(action["res_id"])
        )

    def _links(self, model="partner"):
        return self.env[f"procountor.{model}.link"].search(
            [("procountor_id", "=", self.FORGED_ID)]
        )

    def test_billing_user_cannot_forge_a_customer_line(self):
        victim = self._company("Victim Oy")
        wizard = self._open(self.clerk)
        Line = self.env["procountor.partner.import.line"].with_user(self.clerk)
        forged = {
            "wizard_id": wizard.id,
            "line_type": "main",
            "procountor_id": self.FORGED_ID,
            "name": "Forged",
            "action": "update",
            "partner_id": victim.id,
        }
        with self.assertRaises(AccessError):
            Line.create(forged)
        with self.assertRaises(AccessError):
            wizard.write({"line_ids": [Command.create(forged)]})
        line = wizard.line_ids.filtered(lambda line: line.line_type == "main")[:1]
        with self.assertRaises(AccessError):
            line.write({"procountor_id": self.FORGED_ID})
        line.write({"action": "update", "partner_id": victim.id})
        wizard.action_apply()
        self.assertFalse(self._links())
        self.assertFalse(victim.procountor_customer_id)
        self.assertEqual(line.result, "failed")
        self.assertEqual(
            line.error,
            "you are not allowed to link records to Procountor IDs; ask an accounting "
            "administrator to apply this line.",
        )

    def test_manager_cannot_forge_either(self):
        wizard = self._open(self.manager)
        line = wizard.line_ids[:1]
        with self.assertRaises(AccessError):
            line.write({"procountor_id": self.FORGED_ID})
        other = self.env["procountor.connection"].create(
            self._connection_values(name="Other connection")
        )
        with self.assertRaises(AccessError):
            wizard.write({"connection_id": other.id})
        with self.assertRaises(AccessError):
            line.write({"wizard_id": self._open(self.manager).id})

    def test_billing_user_cannot_forge_a_product_line(self):
        product = self.env["product.product"].create({"name": "Victim product"})
        wizard = self._open(self.clerk, "product")
        with self.assertRaises(AccessError):
            self.env["procountor.product.import.line"].with_user(self.clerk).create(
                {
                    "wizard_id": wizard.id,
                    "procountor_id": self.FORGED_ID,
                    "name": "Forged",
                    "action": "update",
                    "product_id": product.id,
                }
            )
        self.assertFalse(self._links("product"))


@tagged("post_install", "-at_install")
class TestRecordRules(ProcountorInvoiceCommon):
    def test_every_model_of_the_addon_has_a_record_rule(self):
        # Each holds company data (connection, API log, VAT settings, links,
        # payment events, fetched customers and products) or user data
        # (sending batches).
        model_ids = (
            self.env["ir.model.data"]
            .search(
                [("module", "=", "procountor_connector"), ("model", "=", "ir.model")]
            )
            .mapped("res_id")
        )
        checked = [
            model
            for model in self.env["ir.model"].browse(model_ids)
            if model.model.startswith("procountor.")
            and not self.env[model.model]._abstract
        ]
        self.assertIn("procountor.send.batch", [model.model for model in checked])
        without_rule = [
            model.model
            for model in checked
            if not self.env["ir.rule"].search_count([("model_id", "=", model.id)])
        ]
        self.assertEqual(without_rule, [])

    def test_sending_batches_are_private(self):
        other_company = self.env["res.company"].create({"name": "Toinen Oy"})
        other_user = new_test_user(
            self.env,
            login="procountor_other_company_billing",
            groups="account.group_account_invoice",
            company_id=other_company.id,
        )
        moves = self._invoice() | self._invoice()
        moves.with_user(self.billing_user).action_procountor_send()
        batch = moves.procountor_batch_id
        self.assertEqual(len(batch), 1)
        Batch = self.env["procountor.send.batch"]
        self.assertEqual(Batch.with_user(self.billing_user).search([]), batch)
        self.assertFalse(Batch.with_user(other_user).search([]))
        with self.assertRaises(AccessError):
            batch.with_user(other_user).read(["move_count"])

    def test_fetch_wizards_are_private(self):
        wizard = (
            self.env["procountor.partner.import"]
            .with_user(self.accountant)
            .create({"connection_id": self.connection.id})
        )
        colleague = new_test_user(
            self.env,
            login="procountor_colleague",
            groups="account.group_account_manager",
            company_id=self.company.id,
        )
        self.assertFalse(
            self.env["procountor.partner.import"]
            .with_user(colleague)
            .search([("id", "=", wizard.id)])
        )
        with self.assertRaises(AccessError):
            wizard.with_user(colleague).read(["summary"])


@tagged("post_install", "-at_install")
class TestBillAttachmentMime(ProcountorBillCommon):
    def test_html_from_procountor_is_stored_as_plain_text(self):
        invoice, _receipt = self.sim.add_purchase_invoice(self._supplier(), self.day)
        with self.sim._lock:
            self.sim.store.add_attachment(
                {
                    "name": "receipt.html",
                    "referenceType": "INVOICE",
                    "referenceId": invoice["id"],
                    "mimeType": "text/html",
                    "sendWithInvoice": False,
                },
                b"<html><script>fetch('/web/session')</script></html>",
            )
        self._run()
        move = self._bills()
        self.assertEqual(len(move), 1)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        self.assertEqual(attachment.name, "receipt.html")
        self.assertEqual(attachment.mimetype, "text/plain")


@tagged("post_install", "-at_install")
class TestLogSurvival(ProcountorCommon):
    """Outside tests log rows are written in their own transaction."""

    def _real_rows(self, after_id):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute(
                "SELECT path, status_code, company_id, connection_id FROM "
                "procountor_log WHERE id > %s ORDER BY id",
                [after_id],
            )
            return cr.fetchall()

    def test_calls_of_a_connection_created_in_the_same_transaction_are_kept(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM procountor_log")
            last_id = cr.fetchone()[0]

        def cleanup():
            with db_connect(self.env.cr.dbname).cursor() as cr:
                cr.execute("DELETE FROM procountor_log WHERE id > %s", [last_id])

        self.addCleanup(cleanup)
        connection = self.env["procountor.connection"].create(
            self._connection_values(name="Created just now")
        )
        with patch.object(
            type(self.env["procountor.connection"]),
            "_procountor_can_commit",
            lambda self: True,
        ):
            connection.action_test_connection()
        self.assertTrue(connection.last_test_ok)
        # Seen from another transaction: the rows are committed, with their
        # company, although the connection is not (yet).
        self.assertEqual(
            self._real_rows(last_id),
            [
                ("/oauth/token", 200, self.company.id, None),
                ("/company", 200, self.company.id, None),
                ("/bankaccounts", 200, self.company.id, None),
            ],
        )

    def test_rows_join_their_connection_once_it_is_committed(self):
        # A real transaction of its own plays the caller that creates a
        # connection, calls Procountor and commits.
        with db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM procountor_log")
            last_id = cr.fetchone()[0]
        caller_cr = db_connect(self.env.cr.dbname).cursor()
        caller_cr.execute("SET lock_timeout = '10s'")
        created = []

        def cleanup():
            caller_cr.close()
            with db_connect(self.env.cr.dbname).cursor() as cr:
                cr.execute("DELETE FROM procountor_log WHERE id > %s", [last_id])
                if created:
                    cr.execute(
                        "DELETE FROM procountor_connection WHERE id IN %s",
                        [tuple(created)],
                    )

        self.addCleanup(cleanup)
        caller = api.Environment(caller_cr, SUPERUSER_ID, {})
        connection = caller["procountor.connection"].create(
            self._connection_values(name="Committed later")
        )
        created.append(connection.id)
        with patch.object(
            type(self.env["procountor.connection"]),
            "_procountor_can_commit",
            lambda self: True,
        ):
            connection.action_test_connection()
        self.assertEqual(
            [row[3] for row in self._real_rows(last_id)], [None, None, None]
        )
        caller_cr.commit()
        self.assertEqual(
            self._real_rows(last_id),
            [
                ("/oauth/token", 200, self.company.id, connection.id),
                ("/company", 200, self.company.id, connection.id),
                ("/bankaccounts", 200, self.company.id, connection.id),
            ],
        )
