# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of bulk invoice sending: make benchmark NAME=send

Not part of the test suite (tag -standard); it prints figures and asserts
only that every invoice reached Procountor exactly once.
"""

import cProfile
import io
import logging
import os
import pstats
import resource
import threading
import time
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from ..models import procountor_invoice_send_job
from ..procountor_api import ProcountorClient
from ..procountor_api.throttle import SLOT_MARGIN
from .common import ProcountorInvoiceCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "-standard", "procountor_benchmark_send")
class BenchmarkSendInvoices(ProcountorInvoiceCommon):
    def test_send_invoices(self):
        count = int(os.environ.get("PROCOUNTOR_BENCH_INVOICES", "1000"))
        latency = float(os.environ.get("PROCOUNTOR_BENCH_LATENCY", "0.03"))
        self.connection.write(
            {"approve_after_create": True, "send_after_approve": True}
        )
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-11-20",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "quantity": 1 + index % 5,
                                "price_unit": 10.0 + index % 97,
                                "tax_ids": [Command.set(self.tax_255.ids)],
                            }
                        ),
                        Command.create(
                            {
                                "product_id": self.product_b.id,
                                "quantity": 2,
                                "price_unit": 19.99,
                                "discount": 5.0,
                                "tax_ids": [Command.set(self.tax_14.ids)],
                            }
                        ),
                    ],
                }
                for index in range(count)
            ]
        )
        # Odoo's own work on the same invoices, for comparison.
        self.env.flush_all()
        post_queries = self.env.cr.sql_log_count
        post_start = time.perf_counter()
        moves.action_post()
        self.env.flush_all()
        post_wall = time.perf_counter() - post_start
        post_queries = self.env.cr.sql_log_count - post_queries
        moves._procountor_queue()
        self.env.flush_all()
        # The suite's clients skip retry pauses; the benchmark needs the real
        # client, whose throttle sleeps to stay under 20 requests/second.
        Connection = type(self.env["procountor.connection"])
        self.startPatcher(
            patch.object(
                Connection, "_procountor_client_options", lambda self: {"timeout": 10}
            )
        )
        self.connection._procountor_forget_clients()
        # Warm the connection: token and bank accounts, as a running server has.
        with self.connection._procountor_api() as client:
            self.connection._procountor_store_ibans(client)
        self.sim.latency = latency
        self.sim.rate_limit = 20

        # Time spent in the HTTP client, less the API-log hook it calls
        # (that part is Odoo's work): in all threads, and what of it the
        # job's own thread spent waiting (for its own requests or for those
        # of the worker threads).
        in_client = [0.0]
        in_client_wait = [0.0]
        job_thread = threading.current_thread()
        original = ProcountorClient.request
        original_report = ProcountorClient._report
        original_wait = procountor_invoice_send_job.wait

        def timed(client, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(client, *args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                in_client[0] += spent
                if threading.current_thread() is job_thread:
                    in_client_wait[0] += spent

        def timed_report(client, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original_report(client, *args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                in_client[0] -= spent
                if threading.current_thread() is job_thread:
                    in_client_wait[0] -= spent

        def timed_wait(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original_wait(*args, **kwargs)
            finally:
                in_client_wait[0] += time.perf_counter() - start

        calls_before = len(self.sim.requests)
        queries_before = self.env.cr.sql_log_count
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        profiler = (
            cProfile.Profile() if os.environ.get("PROCOUNTOR_BENCH_PROFILE") else None
        )
        start = time.perf_counter()
        with (
            patch.object(ProcountorClient, "request", timed),
            patch.object(ProcountorClient, "_report", timed_report),
            patch.object(procountor_invoice_send_job, "wait", timed_wait),
        ):
            if profiler:
                profiler.enable()
            Move = self.env["account.move"]
            while Move.search_count([("procountor_state", "=", "to_send")]):
                Move._cron_procountor_send_invoices()
                self.env.flush_all()
            if profiler:
                profiler.disable()
        wall = time.perf_counter() - start
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
            _logger.info("PROCOUNTOR BENCHMARK profile:\n%s", out.getvalue())
        queries = self.env.cr.sql_log_count - queries_before
        calls = len(self.sim.requests) - calls_before
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        self.assertEqual(set(moves.mapped("procountor_state")), {"sent"})
        self.assertEqual(len(self.sim.invoices()), count)
        self.assertEqual(self.sim.count("PUT", "/invoices/*/send"), count)
        calls_per_invoice = calls / count
        rate_bound = 20.0 / calls_per_invoice
        # What one request after another could reach, for comparison.
        latency_bound = (
            min(20.0, 1.0 / latency) / calls_per_invoice if latency else rate_bound
        )
        speed = count / wall
        throttle_bound = 20.0 / (1.0 + SLOT_MARGIN) / calls_per_invoice
        # The HTTP client's time runs in other threads, in parallel with the
        # job's own: the job's share is the time the main thread was busy.
        odoo_ms = (wall - in_client_wait[0]) * 1000 / count
        post_ms = post_wall * 1000 / count
        for line in (
            f"invoices: {count}, simulated latency: {latency * 1000:.0f} ms per call",
            f"API calls: {calls} ({calls_per_invoice:.2f} per invoice)",
            f"wall time: {wall:.1f} s, {speed:.2f} invoices/s = "
            f"{100 * speed / rate_bound:.1f} % of the rate bound 20 req/s / calls per "
            f"invoice = {rate_bound:.2f}/s (one request after another would reach at "
            "most min(20 req/s, 1/latency) / calls per invoice = "
            f"{latency_bound:.2f}/s)",
            # On a steady network a slot lasts one second and the margin.
            f"the throttle's own ceiling 20 / (1 s + {SLOT_MARGIN * 1000:.0f} ms) / "
            f"calls per invoice = {throttle_bound:.2f}/s "
            f"({100 * throttle_bound / rate_bound:.1f} % of the rate bound); reached "
            f"{100 * speed / throttle_bound:.1f} % of it",
            "time inside the HTTP client, all threads (requests, throttle waits, "
            f"retries): {in_client[0]:.1f} s; the job waiting for answers: "
            f"{in_client_wait[0]:.1f} s",
            f"Odoo-side time per invoice excluding HTTP: {odoo_ms:.1f} ms, Odoo's own "
            f"action_post of the same invoices: {post_ms:.1f} ms per invoice "
            f"({post_queries / count:.1f} queries); ratio send/action_post "
            f"{odoo_ms / post_ms:.2f}",
            f"SQL queries: {queries} ({queries / count:.1f} per invoice)",
            f"peak RSS of the process: {rss_peak / 1024:.0f} MiB (was "
            f"{rss_before / 1024:.0f} MiB before sending)",
        ):
            _logger.info("PROCOUNTOR BENCHMARK send: %s", line)
