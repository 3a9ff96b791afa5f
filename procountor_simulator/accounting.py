"""Money arithmetic: invoice totals (``invoiceSumInfo``) and the transactions of the
ledger receipt Procountor creates for every invoice.

Procountor's exact rounding is undocumented (API_NOTES §14.7 [INFER]). The simulator
fixes one rule so tests can check amounts to the cent:

* per row: ``line = quantity × unitPrice × (1 − rowDiscount/100) × (1 −
headerDiscount/100)``;
* prices without VAT: ``net = round(line)``, ``vat = round(net × vat%/100)``, ``gross =
net + vat``;
* prices with VAT (``extraInfo.unitPricesIncludeVat``): ``gross = round(line)``,
  ``net = round(gross / (1 + vat%/100))``, ``vat = gross − net``;
* totals are sums of the rounded rows; rounding is half-up to 2 decimals;
* the ``invoiceSumInfo`` of a sales invoice can follow another plausible rule instead
  (the ``sales_rounding`` reading, :mod:`.readings`): ties half-even, and/or "per
  total": the unrounded row amounts summed per VAT rate, then net and VAT rounded once
  per rate;
* with the reading ``purchase_vat_rounding = per_total`` (:mod:`.readings`), a purchase
  invoice's VAT on prices without VAT is instead rounded once per VAT rate:
  ``vat = round(Σ net × vat%/100)`` (prices with VAT keep ``gross − net``);
* company-currency amounts divide by ``paymentInfo.currencyRate`` (foreign units per
  1 company unit, §4.2) and round again.
"""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def dec(value):
    """JSON number -> Decimal without binary-float noise."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round2(value, mode=ROUND_HALF_UP):
    return dec(value).quantize(CENT, rounding=mode)


def money(value):
    """Decimal -> JSON number with at most two decimals."""
    return float(round2(value))


def _line(row, header_discount):
    """quantity × unitPrice × (1 − row discount) × (1 − header discount), unrounded."""
    return (
        dec(row.get("quantity", 0))
        * dec(row.get("unitPrice", 0))
        * (1 - dec(row.get("discountPercent") or 0) / HUNDRED)
        * (1 - dec(header_discount or 0) / HUNDRED)
    )


def _split(line, rate, prices_include_vat, mode):
    """(net, vat, gross) of an unrounded amount at VAT ``rate`` (a fraction),
    rounded."""
    if prices_include_vat:
        gross = round2(line, mode)
        net = round2(gross / (1 + rate), mode)
        return net, gross - net, gross
    net = round2(line, mode)
    vat = round2(net * rate, mode)
    return net, vat, net + vat


def row_amounts(row, header_discount, prices_include_vat, mode=ROUND_HALF_UP):
    """(net, vat, gross) of one invoice row in the invoice currency, rounded."""
    rate = dec(row.get("vatPercent") or 0) / HUNDRED
    return _split(_line(row, header_discount), rate, prices_include_vat, mode)


def invoice_row_amounts(invoice):
    """[(row, net, vat, gross)] for every row of a stored invoice."""
    extra = invoice.get("extraInfo") or {}
    include_vat = bool(extra.get("unitPricesIncludeVat"))
    header_discount = invoice.get("discountPercent") or 0
    return [
        (row, *row_amounts(row, header_discount, include_vat))
        for row in invoice.get("invoiceRows") or []
    ]


def to_company(amount, currency_rate):
    """Invoice-currency amount -> company currency (§4.2 currencyRate), rounded."""
    return round2(dec(amount) / dec(currency_rate or 1))


SALES_ROUNDINGS = {
    "row_half_up": ("row", ROUND_HALF_UP),
    "row_half_even": ("row", ROUND_HALF_EVEN),
    "total_half_up": ("total", ROUND_HALF_UP),
    "total_half_even": ("total", ROUND_HALF_EVEN),
}


def _document_totals(invoice, rounding):
    """(net, vat) of an invoice in its own currency under ``rounding``
    (SALES_ROUNDINGS)."""
    per, mode = SALES_ROUNDINGS[rounding]
    extra = invoice.get("extraInfo") or {}
    include_vat = bool(extra.get("unitPricesIncludeVat"))
    header_discount = invoice.get("discountPercent") or 0
    rows = invoice.get("invoiceRows") or []
    if per == "row":
        amounts = [row_amounts(row, header_discount, include_vat, mode) for row in rows]
    else:
        by_rate = {}
        for row in rows:
            rate = dec(row.get("vatPercent") or 0)
            by_rate[rate] = by_rate.get(rate, Decimal(0)) + _line(row, header_discount)
        amounts = [
            _split(line, rate / HUNDRED, include_vat, mode)
            for rate, line in by_rate.items()
        ]
    return (
        sum((a[0] for a in amounts), Decimal(0)),
        sum((a[1] for a in amounts), Decimal(0)),
    )


def vat_per_total(invoice):
    """VAT rounded once per VAT rate on the rows' net total (prices without VAT); rows
    whose prices include VAT keep their ``gross − net``."""
    include_vat = bool((invoice.get("extraInfo") or {}).get("unitPricesIncludeVat"))
    amounts = invoice_row_amounts(invoice)
    if include_vat:
        return sum((a[2] for a in amounts), Decimal(0))
    nets = {}
    for row, net, _vat, _gross in amounts:
        rate = dec(row.get("vatPercent") or 0)
        nets[rate] = nets.get(rate, Decimal(0)) + net
    return sum((round2(net * rate / HUNDRED) for rate, net in nets.items()), Decimal(0))


def invoice_sum_info(
    invoice,
    company_currency,
    rounding="row_half_up",
    single_flag=False,
    vat_rounding="per_row",
):
    """``invoiceSumInfo`` (§4.1): one entry in the invoice currency, plus one in the
    company currency (``inAccountingCurrency: true``) when the two differ.

    ``rounding``: one of SALES_ROUNDINGS (sales invoices only; the store passes the
    ``sales_rounding`` reading). ``single_flag``: ``inAccountingCurrency`` of the only
    entry of a company-currency invoice (the ``sum_info_single_flag`` reading).
    ``vat_rounding``: ``per_row`` (sum of the rows' rounded VAT) or ``per_total``
    (:func:`vat_per_total`; purchases, the ``purchase_vat_rounding`` reading).
    """
    net, vat = _document_totals(invoice, rounding)
    if vat_rounding == "per_total":
        vat = vat_per_total(invoice)
    payment = invoice.get("paymentInfo") or {}
    currency = payment.get("currency") or company_currency
    info = [
        {
            "currency": currency,
            "inAccountingCurrency": bool(single_flag)
            if currency == company_currency
            else False,
            "excludingVatTotal": money(net),
            "vatSumTotal": money(vat),
            "invoiceSumTotal": money(net + vat),
        }
    ]
    if currency != company_currency:
        rate = payment.get("currencyRate") or 1
        net_c, vat_c = to_company(net, rate), to_company(vat, rate)
        info.append(
            {
                "currency": company_currency,
                "inAccountingCurrency": True,
                "excludingVatTotal": money(net_c),
                "vatSumTotal": money(vat_c),
                # Sum of the converted parts, so the entry adds up on its own [INFER].
                "invoiceSumTotal": money(net_c + vat_c),
            }
        )
    return info


def entry_transactions(
    invoice, *, sales, default_account, product_accounts, vat_status
):
    """ENTRY transactions for an invoice's ledger receipt (§6, §14.6).

    Net amounts in company currency; sales rows are credits (negative), purchase rows
    debits (positive) [INFER sign]. With ``extraInfo.accountingByRow`` one transaction
    per row, using the product register's ``defaultAccount`` when the row links a
    product; otherwise rows are grouped per (VAT %, VAT status).
    """
    rate = (invoice.get("paymentInfo") or {}).get("currencyRate") or 1
    by_row = bool((invoice.get("extraInfo") or {}).get("accountingByRow"))
    sign = -1 if sales else 1
    vat_type = "SALES" if sales else "PURCHASE"
    grouped = {}
    for row, net, _vat, _gross in invoice_row_amounts(invoice):
        row_status = row.get("vatStatus") or vat_status
        if by_row:
            account = product_accounts.get(row.get("productId")) or default_account
            key = ("row", len(grouped))
            description = row.get("product")
        else:
            account = default_account
            key = (str(dec(row.get("vatPercent") or 0)), row_status)
            description = None
        item = grouped.setdefault(
            key,
            {
                "account": account,
                "value": Decimal(0),
                "vatPercent": row.get("vatPercent") or 0,
                "vatStatus": row_status,
                "description": description,
            },
        )
        item["value"] += to_company(net, rate)
    return [
        {
            "transactionType": "ENTRY",
            "account": item["account"],
            "accountingValue": money(sign * item["value"]),
            "vatPercent": item["vatPercent"],
            "vatType": vat_type,
            "vatStatus": item["vatStatus"],
            "description": item["description"],
            "dimensionItemValues": [],
        }
        for item in grouped.values()
    ]


def reversing_transaction(entries, account, description=None):
    """The REVERSING_ENTRY that makes the receipt's rows sum to 0 (§6, §14.6 [INFER]).

    API_NOTES describe ``accountingValue`` as net and say a receipt's rows sum to 0, so
    the receivable/payable row carries minus the sum of the ENTRY rows (VAT is derived
    by Procountor from ``vatPercent``, it is not a transaction of its own).
    """
    total = sum((dec(t["accountingValue"]) for t in entries), Decimal(0))
    return {
        "transactionType": "REVERSING_ENTRY",
        "account": account,
        "accountingValue": money(-total),
        "vatPercent": 0,
        "vatType": entries[0]["vatType"] if entries else None,
        "vatStatus": None,
        "description": description,
        "dimensionItemValues": [],
    }
