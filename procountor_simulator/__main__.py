"""Run the simulator in the foreground: ``python -m procountor_simulator --port 8070``.

Prints the API base URL and the credentials it accepts; stops on Ctrl-C or SIGTERM.
``--demo`` adds the demo data and the page ``/demo`` where customers pay invoices;
``python -m procountor_simulator pay <invoice id>`` pays one on a running demo
simulator.
"""

import argparse
import signal
import sys
import threading

from . import demo
from .server import LOOPBACK_HOSTS, SimulatorServer
from .simulator import Simulator


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["pay"]:
        return pay_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m procountor_simulator",
        description="Local fake of the Procountor REST API.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        choices=sorted(LOOPBACK_HOSTS),
        help="loopback address to bind (default 127.0.0.1)",
    )
    parser.add_argument(
        "--port", type=int, default=8070, help="port (0 = any free port)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every request"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=20,
        metavar="N",
        help="answer 429 above N requests per second and client, as "
        "Procountor documents (API_NOTES §3.8); 0 disables",
    )
    parser.add_argument(
        "--seed-customers",
        type=int,
        default=0,
        metavar="N",
        help="also create N customers (benchmarks)",
    )
    parser.add_argument(
        "--empty",
        action="store_true",
        help="start without seed data (only the company record)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="add demo data (customers, products, accepted vendor bills) "
        "and the page /demo where customers pay sent invoices",
    )
    args = parser.parse_args(argv)

    sim = Simulator(seed=not args.empty)
    if args.demo:
        if not args.empty:
            demo.seed_demo(sim)
        sim.demo_pages = True
    sim.latency = args.latency
    sim.rate_limit = args.rate_limit or None
    if args.seed_customers:
        sim.seed_customers(args.seed_customers)
    server = SimulatorServer(sim, host=args.host, port=args.port).start()

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    credentials = sim.credentials
    say(f"Procountor simulator API base URL: {server.base_url}")
    say(f"  client_id:     {credentials['client_id']}")
    say(f"  client_secret: {credentials['client_secret']}")
    say(f"  api_key:       {credentials['api_key']}")
    say(f"  redirect_uri:  {credentials['redirect_uri']}")
    if args.demo:
        say(
            f"Customers pay sent invoices at {server.url}/demo (or: python3 -m "
            f"procountor_simulator pay <invoice id> --port {server.port})"
        )
    try:
        stop.wait()
    finally:
        server.stop()
        say("Procountor simulator stopped.")
    return 0


def pay_main(argv):
    """``pay <invoice id>``: the customer pays what is open on that sales invoice."""
    parser = argparse.ArgumentParser(
        prog="python -m procountor_simulator pay",
        description="Have the customer pay a sales invoice on a running simulator "
        "started with --demo.",
    )
    parser.add_argument("invoice_id", type=int, help="the invoice's Procountor ID")
    parser.add_argument(
        "--port",
        type=int,
        default=8070,
        help="port of the running simulator (default 8070)",
    )
    args = parser.parse_args(argv)
    ok, message = demo.pay_over_http(f"http://127.0.0.1:{args.port}", args.invoice_id)
    say(message)
    return 0 if ok else 1


def say(line):
    """One line on stdout, flushed at once so a parent process can read it."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
