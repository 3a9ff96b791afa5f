"""Demo mode (``python -m procountor_simulator --demo``): data to import and a way to
pay.

* :func:`seed_demo` adds what the Odoo demo company (Finnish chart of accounts, l10n_fi)
  fetches: more customers and products, and accepted purchase invoices whose ledger
  receipts use account numbers that exist in that chart.
* A page outside the API, ``GET /demo``, lists the sales invoices with a *Pay* button;
  ``POST /demo/pay/<invoice id>`` records a reference payment of what is still open, as
  if the customer had paid. ``python -m procountor_simulator pay <invoice id>`` does the
  same from a shell (:func:`pay_over_http`). No authentication: the simulator only
  listens on loopback, and these pages exist only in demo mode.
"""

import datetime
import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

from werkzeug.wrappers import Response

from . import accounting

# Statuses of a sales invoice a customer can pay: approved or delivered, not yet
# settled.
PAYABLE_STATUSES = frozenset(
    {
        "APPROVED",
        "SENT",
        "RECEIVED",
        "NOT_SENT",
        "PARTLY_PAID",
        "PAYMENT_DENIED",
        "VERIFIED",
    }
)
# Accounts of the Finnish chart (l10n_fi) the demo bills are booked on, beyond the
# seed's.
DEMO_ACCOUNTS = (
    ("7230", "Premises rents"),
    ("7700", "Other computer and software costs"),
    ("8380", "Accounting services"),
)
PAY_PATH = re.compile(r"^/demo/pay/(?P<id>\d+)/?$")
# What a sales invoice's status means, as the page shows it.
STATUS_WORDS = {
    "UNFINISHED": "Unfinished, not approved",
    "NOT_SENT": "Approved, not delivered",
    "SENT": "Approved and delivered",
    "PARTLY_PAID": "Partly paid",
    "MARKED_PAID": "Marked as paid",
    "PAYMENT_DENIED": "Payment denied",
}


def seed_demo(sim):
    """Add the demo data to a seeded simulator ``sim``."""
    store = sim.store
    for code, name in DEMO_ACCOUNTS:
        store.add_account(code, name)
    identifier = store.next_ytunnus()
    sim.add_partner(
        "Järvenpään Kaluste Oy",
        identifier=identifier,
        address={
            "name": "Järvenpään Kaluste Oy",
            "street": "Sibeliuksenkatu 7",
            "zip": "04400",
            "city": "Järvenpää",
            "country": "FINLAND",
        },
        invoicingInfo={
            "invoiceChannel": "EMAIL",
            "language": "FINNISH",
            "email": "laskut@jarvenpaankaluste.example",
        },
    )
    sim.add_partner(
        "Oulun Sahatavara Oy",
        identifier=store.next_ytunnus(),
        address={
            "name": "Oulun Sahatavara Oy",
            "street": "Kirkkokatu 30",
            "zip": "90100",
            "city": "Oulu",
            "country": "FINLAND",
        },
        invoicingInfo={
            "invoiceChannel": "ELECTRONIC_INVOICE",
            "language": "FINNISH",
            "einvoiceAddress": "0037" + store.next_ytunnus().replace("-", ""),
            "einvoiceOperator": "003721291126",
            "email": "ostot@oulunsahatavara.example",
        },
    )
    sim.add_product(
        "Design consultation",
        code="SUUNNITTELU",
        price=95.0,
        unit="HOUR",
        defaultAccount="3000",
    )
    sim.add_product(
        "Birch bookshelf", code="HYLLY-03", price=349.0, defaultAccount="3000"
    )

    supplier = next(
        partner
        for partner in store.partners.values()
        if partner["name"] == "Toimittaja Oy"
    )
    office = next(
        partner
        for partner in store.partners.values()
        if partner["name"] == "Office Supplies Ltd"
    )
    today = store.today()
    year_start = datetime.date(today.year, 1, 1)

    def day(days_ago):
        return max(today - datetime.timedelta(days=days_ago), year_start)

    sim.add_purchase_invoice(
        supplier,
        day(15),
        invoice_number="T-2041",
        with_attachment=True,
        rows=[
            {
                "product": "Oak boards",
                "quantity": 40,
                "unit": "METER",
                "unitPrice": 12.5,
                "account": "4000",
            },
            {
                "product": "Wood oil",
                "quantity": 6,
                "unitPrice": 18.0,
                "account": "4000",
            },
        ],
    )
    sim.add_purchase_invoice(
        office,
        day(10),
        invoice_number="OS-77120",
        rows=[
            {
                "product": "Accounting software, monthly fee",
                "unitPrice": 49.0,
                "account": "7700",
            },
            {"product": "Bookkeeping, monthly", "unitPrice": 320.0, "account": "8380"},
        ],
    )
    sim.add_purchase_invoice(
        "Kiinteistö Oy Satamakatu",
        day(5),
        invoice_number="VUOKRA-05",
        rows=[
            {"product": "Workshop rent", "unitPrice": 1450.0, "account": "7230"},
            {
                "product": "Trade magazine subscription",
                "unitPrice": 60.0,
                "vatPercent": 14,
                "account": "4000",
            },
        ],
    )


def open_amount(sim, invoice):
    """What is still to pay on ``invoice``, in its currency (Decimal)."""
    total = accounting.dec(invoice["invoiceSumInfo"][0]["invoiceSumTotal"])
    paid = sum(
        (
            accounting.dec(event["paidAmount"] or 0)
            for event in sim.store.invoice_events(invoice["id"])
        ),
        Decimal(0),
    )
    return total - paid


def pay(sim, invoice_id):
    """The customer pays what is open on sales invoice ``invoice_id`` by reference.

    Returns the payment event; ValueError (in words) when there is nothing to pay."""
    with sim._lock:
        invoice = sim.store.invoices.get(invoice_id)
        if invoice is None or invoice.get("type") != "SALES_INVOICE":
            raise ValueError(
                f"There is no sales invoice {invoice_id} in the simulator."
            )
        if invoice["status"] in ("PAID", "MARKED_PAID"):
            raise ValueError(f"Invoice {invoice['invoiceNumber']} is paid already.")
        if invoice["status"] not in PAYABLE_STATUSES:
            status = STATUS_WORDS.get(invoice["status"]) or invoice["status"].replace(
                "_", " "
            )
            raise ValueError(
                f"Invoice {invoice['invoiceNumber']} cannot be paid: it is "
                f"{status.lower()}."
            )
        amount = open_amount(sim, invoice)
        if amount <= 0:
            raise ValueError(
                f"Invoice {invoice['invoiceNumber']} has nothing left to pay."
            )
        rate = accounting.dec(invoice["paymentInfo"].get("currencyRate") or 1)
        company_amount = float(accounting.round2(amount / rate))
        return sim.register_payment(
            invoice_id,
            company_amount,
            paid_amount=float(amount),
            paid_currency=invoice["paymentInfo"].get("currency"),
            description="Paid by the customer (simulator demo page)",
        )


def handle(sim, request):
    """A Response for a demo path, or None when ``request`` is not one."""
    path = request.path
    if path.rstrip("/") == "/demo" and request.method in ("GET", "HEAD"):
        return Response(
            _page(sim, request.args.get("message", "")),
            content_type="text/html; charset=utf-8",
        )
    match = PAY_PATH.match(path)
    if match is None:
        return None
    if request.method != "POST":
        return Response("POST to pay.\n", status=405, headers={"Allow": "POST"})
    invoice_id = int(match.group("id"))
    try:
        event = pay(sim, invoice_id)
    except ValueError as exc:
        status, message, event = 409, str(exc), None
    else:
        status = 200
        message = (
            f"Invoice {sim.store.invoices[invoice_id]['invoiceNumber']}: "
            f"{event['paidAmount']:.2f} {event['paidCurrency']} paid."
        )
    if request.mimetype == "application/x-www-form-urlencoded":
        # The page's button: back to the list, with the outcome on top.
        return Response(
            status=303,
            headers={
                "Location": "/demo?" + urllib.parse.urlencode({"message": message})
            },
        )
    return Response(
        json.dumps({"message": message, "payment": event}),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _page(sim, message):
    with sim._lock:
        invoices = sorted(
            (
                invoice
                for invoice in sim.store.invoices.values()
                if invoice.get("type") == "SALES_INVOICE"
            ),
            key=lambda invoice: invoice["id"],
            reverse=True,
        )
        rows = []
        for invoice in invoices:
            info = invoice["paymentInfo"]
            left = open_amount(sim, invoice)
            total = accounting.dec(invoice["invoiceSumInfo"][0]["invoiceSumTotal"])
            payable = invoice["status"] in PAYABLE_STATUSES and left > 0
            button = (
                f'<form method="post" action="/demo/pay/{invoice["id"]}">'
                f'<button type="submit">Pay {left:.2f}</button></form>'
                if payable
                else ""
            )
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(cell))}</td>"
                    for cell in (
                        invoice["id"],
                        invoice["invoiceNumber"],
                        invoice.get("originalInvoiceNumber") or "",
                        (invoice.get("counterParty") or {})
                        .get("counterPartyAddress", {})
                        .get("name", ""),
                        invoice.get("date", ""),
                        f"{total:.2f} {info.get('currency') or ''}",
                        f"{left:.2f}",
                        STATUS_WORDS.get(invoice["status"])
                        or invoice["status"].replace("_", " ").capitalize(),
                    )
                )
                + f"<td>{button}</td></tr>"
            )
    notice = f'<p class="notice">{html.escape(message)}</p>' if message else ""
    body = (
        "\n".join(rows)
        or '<tr><td colspan="9">No sales invoice yet: send one from Odoo.</td></tr>'
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Procountor simulator: sales invoices</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
.notice{{background:#e8f4e8;padding:.5em}}</style></head><body>
<h1>Procountor simulator: sales invoices</h1>
<p>Press <em>Pay</em> to have the customer pay what is open on an invoice; then press
<em>Fetch Procountor payments</em> on the invoice in Odoo.</p>
{notice}
<table><tr><th>Procountor ID</th><th>Number</th><th>Odoo number</th><th>Customer</th>
<th>Date</th><th>Total</th><th>Open</th><th>Status</th><th></th></tr>
{body}
</table></body></html>
"""


def pay_over_http(base_url, invoice_id, timeout=10):
    """``pay`` on a simulator running at ``base_url`` (e.g. ``http://127.0.0.1:8070``).

    Returns ``(ok, message)``."""
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/demo/pay/{int(invoice_id)}",
        data=b"{}",
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except OSError as exc:
        return False, f"The simulator at {base_url} did not answer: {exc}"
    try:
        message = json.loads(raw.decode("utf-8"))["message"]
    except (ValueError, KeyError, TypeError):
        message = f"The simulator answered {status}; was it started with --demo?"
    return status == 200, message
