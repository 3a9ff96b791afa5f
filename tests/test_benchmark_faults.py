# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fault campaign: make benchmark NAME=faults

Not part of the test suite (tag -standard). At least 1,000 invoices
(domestic, EU, foreign currency, credit notes) are bulk-sent through the
queue and its scheduled job while about 10 % of the HTTP attempts are
faulted at random from a fixed seed, then their payments are fetched the
same way. Counted on the simulator's side: every Odoo invoice must have
exactly one Procountor invoice, and every Procountor payment event exactly
one Odoo payment.

Faults (each armed in the simulator for the very attempt the client is
about to make): 429 storms, 503, connection refused (a closed port), reset
before the server handled the request, answer lost after the server
committed, a create slower than the client's timeout followed at once by a
second Send of the same invoice, token expiry, and a worker that dies
between steps. Outside tests the connector commits after each step; here
each of those commits releases a savepoint, and a dying worker is rolled
back to the last one (what a killed process leaves in the database) before
the next scheduled run goes on with what was committed.

The grace period and the client timeouts are shortened (the grace period
still outlasts everything one create can spend in the client); after the
campaign the faults stop, the grace period passes and one scheduled run
must leave no invoice unsent ("stuck").

Environment: PROCOUNTOR_BENCH_INVOICES (1000), PROCOUNTOR_BENCH_SEED,
PROCOUNTOR_BENCH_FAULT_RATE (0.10).
"""

import logging
import os
import random
import socket
import time
from collections import Counter
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import common as odoo_test_common
from odoo.tests import tagged

from ..procountor_api import ProcountorClient
from .payment_common import ProcountorPaymentCommon

_logger = logging.getLogger(__name__)

# (kind, weight). "die" is used only while invoices are being sent.
FAULT_KINDS = (
    ("429_storm", 12),
    ("503", 14),
    ("refused", 12),
    ("reset", 14),
    ("lost", 14),
    ("slow_create", 10),
    ("token_expiry", 10),
    ("die", 14),
)
CLIENT_TIMEOUT = (1.0, 1.0)
SLOW_CREATE_SECONDS = 2.5
RETRY_AFTER = "0.2"
# Longer than anything one create can spend in the client with the options
# above: 4 attempts of 1 s connect + 1 s read, 3 Retry-After pauses and the
# slow create's own delay.
BENCH_GRACE = timedelta(seconds=15)


class WorkerDied(BaseException):
    """The worker process was killed: nothing after its last commit survives."""


class _Campaign:
    def __init__(self, test, rng, rate):
        self.test = test
        self.sim = test.sim
        self.rng = rng
        self.rate = rate
        self.enabled = False
        self.deaths_allowed = False
        self.injected = Counter()
        self.resend = []
        self.kinds = [kind for kind, _weight in FAULT_KINDS]
        self.weights = [weight for _kind, weight in FAULT_KINDS]
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.closed_port = probe.getsockname()[1]
        probe.close()

    def pick(self, method, path):
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind == "die" and not self.deaths_allowed:
            kind = "reset"
        if kind == "slow_create" and (method, path) != ("POST", "/invoices"):
            kind = "503"
        return kind


@tagged("post_install", "-at_install", "-standard", "procountor_benchmark_faults")
class BenchmarkSendFaults(ProcountorPaymentCommon):
    def _make_invoices(self, count):
        """Domestic, EU and US-dollar invoices, and credit notes of some
        domestic ones: ``count`` moves in all, posted."""
        statuses = {status.code: status for status in self.connection.vat_status_ids}
        eu_sales = self.env["account.fiscal.position"].create(
            {"name": "EU sales", "procountor_vat_status_id": statuses[5].id}
        )
        tax_0 = self.tax_255.copy({"name": "VAT 0% EU", "amount": 0.0})
        tax_0.procountor_vat_status_id = statuses[3]
        germany = self.env.ref("base.de")
        kunde = self.env["res.partner"].create(
            {
                "name": "Kunde GmbH",
                "is_company": True,
                "street": "Unter den Linden 1",
                "zip": "10117",
                "city": "Berlin",
                "country_id": germany.id,
                "email": "rechnung@kunde.example",
                "vat": "DE123456788",
                "lang": "en_US",
            }
        )
        remote = self.sim.add_partner("Kunde GmbH", identifier="DE123456788")
        kunde._procountor_set_id(self.connection, remote["id"])
        usd = self.usd
        refunds = count // 10
        vals_list = []
        for index in range(count - refunds):
            kind = index % 10
            values = {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-11-20",
                "invoice_line_ids": [
                    {
                        "product_id": self.product_a.id,
                        "quantity": 1 + index % 5,
                        "price_unit": 10.0 + index % 97,
                        "tax_ids": [(6, 0, self.tax_255.ids)],
                    },
                    {
                        "product_id": self.product_b.id,
                        "quantity": 2,
                        "price_unit": 19.99,
                        "discount": 5.0,
                        "tax_ids": [(6, 0, self.tax_14.ids)],
                    },
                ],
            }
            if kind in (6, 7):
                values["partner_id"] = kunde.id
                values["fiscal_position_id"] = eu_sales.id
                for line in values["invoice_line_ids"]:
                    line["tax_ids"] = [(6, 0, tax_0.ids)]
            elif kind in (8, 9):
                values["currency_id"] = usd.id
            values["invoice_line_ids"] = [
                (0, 0, line) for line in values["invoice_line_ids"]
            ]
            vals_list.append(values)
        invoices = self.env["account.move"].create(vals_list)
        invoices.action_post()
        # Credit notes of domestic invoices (a Finnish chart gives those its
        # own auto-applied fiscal position, so tell them by customer).
        credited = invoices.filtered(
            lambda move: (
                move.currency_id == self.company.currency_id
                and move.partner_id == self.customer
            )
        )[:refunds]
        credit_notes = credited._reverse_moves(
            [{"invoice_date": move.invoice_date} for move in credited]
        )
        credit_notes.action_post()
        return invoices | credit_notes

    def _install_faults(self, campaign):
        sim = self.sim
        original_attempt = ProcountorClient._attempt

        def attempt(client, method, url, path, attempt_no, **kwargs):
            relative = path.split("?")[0]
            # Only first attempts are faulted, so that a fault never outlasts
            # the client's retries on its own.
            if (
                campaign.enabled
                and attempt_no == 1
                and relative != "/oauth/token"
                and campaign.rng.random() < campaign.rate
            ):
                kind = campaign.pick(method, relative)
                campaign.injected[kind] += 1
                if kind == "429_storm":
                    sim.fail_next(
                        method, relative, status=429, count=3, retry_after=RETRY_AFTER
                    )
                elif kind == "503":
                    sim.fail_next(method, relative, status=503)
                elif kind == "refused":
                    parts = urlsplit(url)
                    url = parts._replace(
                        netloc=f"127.0.0.1:{campaign.closed_port}"
                    ).geturl()
                elif kind == "reset":
                    sim.drop_next(method, relative)
                elif kind == "lost":
                    sim.lose_response_next(method, relative)
                elif kind == "slow_create":
                    sim.delay_next(method, relative, SLOW_CREATE_SECONDS)
                    campaign.resend.append(
                        (kwargs.get("json") or {}).get("originalInvoiceNumber")
                    )
                elif kind == "token_expiry":
                    sim.expire_tokens()
                elif kind == "die":
                    if campaign.rng.random() < 0.5:
                        raise WorkerDied("before the request")
                    original_attempt(client, method, url, path, attempt_no, **kwargs)
                    raise WorkerDied("after the server answered")
            return original_attempt(client, method, url, path, attempt_no, **kwargs)

        self.startPatcher(patch.object(ProcountorClient, "_attempt", attempt))

    def _patch_for_campaign(self, campaign):
        """Short timeouts and grace periods, the job's commits as savepoints and a
        second Send right after a slow create; returns what those Sends found."""
        cr = self.env.cr
        MoveClass = type(self.env["account.move"])
        Connection = type(self.env["procountor.connection"])

        # The real client (its throttle and pauses) with short timeouts, which
        # Odoo's test guard would raise to 10 s; still only to 127.0.0.1.
        def handler(cls, session, request, **kwargs):
            self.assertEqual(urlsplit(request.url).hostname, "127.0.0.1")
            return odoo_test_common._super_send(session, request, **kwargs)

        self.startPatcher(
            patch.object(type(self), "_request_handler", classmethod(handler))
        )
        self.startPatcher(
            patch.object(
                Connection,
                "_procountor_client_options",
                lambda self: {
                    "timeout": CLIENT_TIMEOUT,
                    "backoff": 0.05,
                    "max_backoff": 0.5,
                },
            )
        )
        self.startPatcher(
            patch.object(
                MoveClass, "_procountor_create_grace", lambda self: BENCH_GRACE
            )
        )
        self.startPatcher(
            patch.object(
                MoveClass, "_procountor_recheck_interval", lambda self: BENCH_GRACE
            )
        )

        def commit(move_self):
            move_self.env.flush_all()
            cr.execute("RELEASE SAVEPOINT procountor_worker")
            cr.execute("SAVEPOINT procountor_worker")

        self.startPatcher(patch.object(MoveClass, "_procountor_commit", commit))

        # A second Send pressed right after a create that outlasted the
        # client's timeout (while Procountor is still storing it).
        # The job and the button both run an invoice's send flow.
        original_send_flow = MoveClass._procountor_send_flow
        resends = Counter()

        def send_flow(move_self):
            yield from original_send_flow(move_self)
            if move_self.name in campaign.resend:
                campaign.resend.remove(move_self.name)
                before = self.sim.count("POST", "/invoices")
                try:
                    move_self._procountor_send_now()
                except UserError:
                    resends["refused by a lock"] += 1
                created = self.sim.count("POST", "/invoices") - before
                if created:
                    resends["created again"] += 1
                elif "can be sent again from" in (move_self.procountor_error or ""):
                    resends["told to wait"] += 1
                else:
                    resends["found and linked"] += 1

        self.startPatcher(patch.object(MoveClass, "_procountor_send_flow", send_flow))
        return resends

    def _sent_counts(self, moves):
        """Invoices created twice (or unknown) in the simulator, never created, and
        not sent in Odoo."""
        remote_numbers = Counter(
            invoice.get("originalInvoiceNumber") for invoice in self.sim.invoices()
        )
        per_move = [remote_numbers.get(move.name, 0) for move in moves]
        duplicates = sum(max(0, found - 1) for found in per_move)
        duplicates += sum(
            found
            for number, found in remote_numbers.items()
            if number not in set(moves.mapped("name"))
        )
        missing = sum(1 for found in per_move if found == 0)
        stuck = len(moves.filtered(lambda move: move.procountor_state != "sent"))
        return duplicates, missing, stuck

    def test_fault_campaign(self):
        count = int(os.environ.get("PROCOUNTOR_BENCH_INVOICES", "1000"))
        seed = int(os.environ.get("PROCOUNTOR_BENCH_SEED", "20261201"))
        rate = float(os.environ.get("PROCOUNTOR_BENCH_FAULT_RATE", "0.10"))
        campaign = _Campaign(self, random.Random(seed), rate)
        self.connection.write(
            {"approve_after_create": True, "send_after_approve": True}
        )
        moves = self._make_invoices(count)
        cr = self.env.cr
        Move = self.env["account.move"]
        resends = self._patch_for_campaign(campaign)
        self.connection._procountor_forget_clients()
        with self.connection._procountor_api() as client:
            self.connection._procountor_store_ibans(client)
        self.sim.latency = 0.002
        self.sim.rate_limit = 20
        self._install_faults(campaign)

        deaths = [0]

        def scheduled_run():
            cr.execute("SAVEPOINT procountor_worker")
            try:
                Move._cron_procountor_send_invoices()
                self.env.flush_all()
            except WorkerDied:
                # The killed worker's uncommitted work is gone, its session
                # (and its advisory locks) with it.
                cr.execute("ROLLBACK TO SAVEPOINT procountor_worker")
                cr.execute("SELECT pg_advisory_unlock_all()")
                self.env.cr.clear()
                self.env.invalidate_all(flush=False)
                deaths[0] += 1
            cr.execute("RELEASE SAVEPOINT procountor_worker")

        start = time.perf_counter()
        moves._procountor_queue()
        self.env.flush_all()
        campaign.enabled = True
        campaign.deaths_allowed = True
        deadline = time.monotonic() + 3600
        runs = 0
        while (
            Move.search_count(
                [("id", "in", moves.ids), ("procountor_state", "=", "to_send")]
            )
            and time.monotonic() < deadline
        ):
            scheduled_run()
            runs += 1
        send_wall = time.perf_counter() - start
        states_after_campaign = Counter(moves.mapped("procountor_state"))

        # Procountor healthy again; the grace period passes; one scheduled
        # run (which goes on at once while invoices remain, as the
        # scheduler does on its progress report).
        campaign.enabled = False
        campaign.deaths_allowed = False
        time.sleep(BENCH_GRACE.total_seconds() + 1)
        for _index in range(count):
            scheduled_run()
            due = Move.search_count(
                [("id", "in", moves.ids)]
                + Move._procountor_due_domain(fields.Datetime.now())
            )
            if not due:
                break
        moves.invalidate_recordset()

        duplicates, missing, stuck = self._sent_counts(moves)

        # Payments: every sent invoice paid in full in Procountor, then fetched
        # with faults (no dying workers: the fetch commits in its own batches).
        by_number = {
            invoice["originalInvoiceNumber"]: invoice for invoice in self.sim.invoices()
        }
        # (Invoices a credit note settled in Odoo are left out.)
        paid = moves.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.procountor_state == "sent"
                and move.payment_state == "not_paid"
            )
        )
        for move in paid:
            remote = by_number[move.name]
            sums = {
                info.get("inAccountingCurrency"): info
                for info in remote["invoiceSumInfo"]
            }
            company_total = (sums.get(True) or sums.get(False))["invoiceSumTotal"]
            self.sim.register_payment(
                remote["id"], company_total, payment_date="2026-11-25"
            )
        campaign.enabled = True
        fetch_start = time.perf_counter()
        fetch_runs = 0
        while fetch_runs < 20:
            fetch_runs += 1
            self.connection._procountor_fetch_payments(moves=paid)
            self.env.flush_all()
            if not paid.filtered(
                lambda move: move.payment_state in ("not_paid", "partial")
            ):
                break
        campaign.enabled = False
        fetch_wall = time.perf_counter() - fetch_start
        payments = self.env["account.payment"].search(
            [("procountor_connection_id", "=", self.connection.id)]
        )
        per_event = Counter(payments.mapped("procountor_event_id"))
        duplicate_payments = sum(found - 1 for found in per_event.values() if found > 1)
        events = {
            event["id"]
            for move in paid
            for event in self.sim.payment_events(move.procountor_id)
        }
        duplicate_payments += len(set(per_event) - events)
        unpaid = len(
            paid.filtered(lambda move: move.payment_state in ("not_paid", "partial"))
        )

        faults = sum(campaign.injected.values())
        kinds = Counter(
            moves.mapped(
                lambda move: (
                    move.move_type,
                    move.currency_id.name,
                    move.partner_id.country_id != move.company_id.country_id,
                )
            )
        )
        for line in (
            f"invoices: {len(moves)}, faults injected: {faults}, duplicates: "
            f"{duplicates}, missing: {missing}, stuck: {stuck}, duplicate payments: "
            f"{duplicate_payments}",
            "moves: "
            + ", ".join(
                f"{move_type} {currency}{' EU' if eu else ''}: {number}"
                for (move_type, currency, eu), number in sorted(kinds.items())
            ),
            "faults by kind: "
            + ", ".join(f"{kind} {n}" for kind, n in sorted(campaign.injected.items())),
            f"seed {seed}, fault rate {rate:.0%} of first attempts; workers killed: "
            f"{deaths[0]}; scheduled runs during the campaign: {runs}",
            f"second Send right after a slow create: {dict(resends)}",
            f"states when the queue was empty: {dict(states_after_campaign)}",
            f"send wall time: {send_wall:.1f} s; payment fetch: {fetch_runs} runs, "
            f"{fetch_wall:.1f} s, {len(payments)} payments for {len(paid)} invoices, "
            f"{unpaid} left unpaid",
            f"API requests received by the simulator: {len(self.sim.requests)}",
        ):
            _logger.info("PROCOUNTOR BENCHMARK faults: %s", line)
        self.assertGreaterEqual(len(moves), 1000 if count >= 1000 else count)
        self.assertGreaterEqual(faults, 50 if count >= 1000 else 1)
        self.assertEqual((duplicates, missing, stuck, duplicate_payments), (0, 0, 0, 0))
