"""The Procountor client: Procountor's resources over the transport.

:class:`ProcountorClient` adds to :class:`ProcountorTransport` (token,
retries, throttling; ``client_transport.py``) Procountor's paging conventions
and one typed method per call the addon makes. This module is the only place
that knows Procountor's paths (API_NOTES sections named per method); callers
pass filters and ids, never a path. It knows nothing of Odoo.
"""

import json as jsonlib
import mimetypes
from concurrent.futures import ThreadPoolExecutor

from .client_transport import (
    ENVIRONMENT_URLS,
    TOKEN_PATH,
    LocalThrottle,
    ProcountorTransport,
    plain_http_refused,
)
from .errors import ProcountorError, ProcountorNotFoundError

__all__ = [
    "ENVIRONMENT_URLS",
    "MAX_BATCH_IDS",
    "MAX_PAGE_SIZE",
    "TOKEN_PATH",
    "LocalThrottle",
    "ProcountorClient",
    "ProcountorTransport",
    "plain_http_refused",
]

# Batch GETs and page sizes are capped at 200 (API_NOTES §3.3, §3.4).
MAX_PAGE_SIZE = 200
MAX_BATCH_IDS = 200


class CallPool:
    """Runs calls of one client in worker threads, up to ``workers`` at once,
    for a caller that keeps everything else on its own thread.

    ``submit(function, *args)`` returns a future at once. What the client
    would pass to ``on_call`` for the attempts of that call is held back:
    ``report(future)`` passes it on, on the caller's thread, whenever the
    caller is ready to record it. Like :meth:`ProcountorClient.map_concurrent`,
    each worker runs under the deadline of the thread that made the pool.
    Leaving the ``with`` block (or ``close()``) waits for calls still in
    flight.
    """

    def __init__(self, client, workers):
        self.client = client
        self._deadline = getattr(client._local, "deadline", None)
        self._executor = ThreadPoolExecutor(
            max_workers=max(1, int(workers)), thread_name_prefix="procountor-call"
        )

    def submit(self, function, *args):
        reports = []
        local = self.client._local

        def run():
            local.deadline = self._deadline
            local.reports = reports
            try:
                return function(*args)
            finally:
                local.reports = None
                local.deadline = None

        future = self._executor.submit(run)
        future.procountor_reports = reports
        return future

    def report(self, future):
        """Pass the attempts of ``future``'s call to ``on_call``, once; call
        it when the future is done."""
        reports = getattr(future, "procountor_reports", None) or []
        future.procountor_reports = []
        for info in reports:
            self.client._call_hook(info)

    def close(self):
        self._executor.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class ProcountorClient(ProcountorTransport):
    """Talks to one Procountor company through one API key (M2M flow, API_NOTES §2.1).

    All public calls return parsed JSON (None for empty answers) or raise a
    :class:`ProcountorError` subclass; see :class:`ProcountorTransport` for
    the constructor and the retry policy.
    """

    # ---------------------------------------------------------------- paging

    def paginate(self, path, params=None, headers=None, size=MAX_PAGE_SIZE):
        """Yield the rows of every page of a ``{results, meta}`` list (API_NOTES §3.4).

        A bare JSON array is read too (lists whose shape is undocumented): a full
        one asks for the next page, and paging stops at a short page or at one
        that only repeats rows already seen (an endpoint that ignores ``page``).
        """
        size = max(1, min(int(size), MAX_PAGE_SIZE))
        params = dict(params or {})
        page = int(params.pop("page", 0) or 0)
        params.pop("size", None)
        seen = set()
        while True:
            body = self.get(
                path, params={**params, "page": page, "size": size}, headers=headers
            )
            if body is None:
                return
            if isinstance(body, list):
                keys = [_row_key(row) for row in body]
                fresh = [
                    row for row, key in zip(body, keys, strict=True) if key not in seen
                ]
                seen.update(keys)
                yield from fresh
                if len(body) < size or not fresh:
                    return
                page += 1
                continue
            rows = body.get("results") or []
            yield from rows
            meta = body.get("meta") or {}
            count = meta.get("resultCount")
            if count is None:
                count = len(rows)
            total = meta.get("totalCount")
            if not rows or count < size:
                return
            # totalCount may be missing in older versions (API_NOTES §3.4).
            if total is not None and (page + 1) * size >= total:
                return
            page += 1

    def paginate_keyset(self, path, params=None, size=MAX_PAGE_SIZE):
        """Yield all rows of a list paged by ``previousId`` + ``size``.

        ``GET /products`` has no ``page`` parameter (API_NOTES §9).
        """
        size = max(1, min(int(size), MAX_PAGE_SIZE))
        params = dict(params or {})
        params.pop("size", None)
        previous_id = params.pop("previousId", None)
        while True:
            query = {**params, "size": size}
            if previous_id is not None:
                query["previousId"] = previous_id
            body = self.get(path, params=query)
            if body is None:
                return
            rows = body if isinstance(body, list) else (body.get("results") or [])
            yield from rows
            if len(rows) < size or rows[-1].get("id") in (None, previous_id):
                return
            previous_id = rows[-1]["id"]

    def get_batch(self, path, ids):
        """GET ``{path}/{id,id,...}`` in chunks of at most 200 ids; always return a
        list.

        A chunk answered 404 (all its ids invalid, API_NOTES §3.3) contributes nothing.
        """
        path = path.rstrip("/")

        def read(chunk):
            try:
                body = self.get(f"{path}/{','.join(chunk)}")
            except ProcountorNotFoundError:
                return []
            if isinstance(body, list):
                return body
            return [body] if body is not None else []

        results = []
        for rows in self.map_concurrent(read, _chunks(_unique(ids), MAX_BATCH_IDS)):
            results.extend(rows)
        return results

    def map_concurrent(self, function, items):
        """``[function(item) for item in items]`` with up to ``concurrency``
        calls in flight at once, results in the order of ``items``.

        For reads only. Each worker runs under the caller's deadline, and the
        ``on_call`` hook is called afterwards on the caller's thread, in the
        order of ``items``, so whatever it records stays with the caller. The
        first error (in the order of ``items``) is raised once all are done.
        """
        items = list(items)
        workers = min(self.concurrency, len(items))
        if workers <= 1:
            return [function(item) for item in items]
        deadline = getattr(self._local, "deadline", None)
        reports = [[] for _ in items]

        def run(index):
            self._local.deadline = deadline
            self._local.reports = reports[index]
            try:
                return function(items[index])
            finally:
                self._local.reports = None
                self._local.deadline = None

        with ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="procountor-read"
        ) as pool:
            futures = [pool.submit(run, index) for index in range(len(items))]
        for batch in reports:
            for info in batch:
                self._call_hook(info)
        return [future.result() for future in futures]

    def call_pool(self, workers=None):
        """A :class:`CallPool` of up to ``workers`` (default ``concurrency``)
        threads for calls that may each be in flight while the caller works."""
        return CallPool(self, workers or self.concurrency)

    # ------------------------------------------------ company and settings

    def get_company(self):
        """The Procountor company of the API key (API_NOTES §10)."""
        return self.get("/company")

    def get_vats_default(self):
        return self.get("/vats/default")

    def get_vats_settings(self):
        return self.get("/vats/settings")

    def get_bank_accounts(self):
        """The company's bank accounts as a list, every page: the answer's shape is
        undocumented (API_NOTES §10), an envelope and a bare array both work."""
        return list(self.paginate("/bankaccounts"))

    def get_coa(self):
        return self.get("/coa")

    def get_dimensions(self):
        """The company's dimensions with their items (API_NOTES §6), a list."""
        return self.get("/dimensions") or []

    # ------------------------------------------------------------- invoices

    def create_invoice(self, payload):
        """POST /invoices; returns the created Invoice.

        Not idempotent: after ProcountorUnknownOutcome, search by originalInvoiceNumber
        before posting again (API_NOTES §4.8).
        """
        return self.post("/invoices", json=payload)

    def approve_invoice(self, invoice_id):
        # The body is a CheckingEvent, ignored for sales invoices (API_NOTES §4.5).
        return self.put(f"/invoices/{int(invoice_id)}/approve", json={})

    def send_invoice(self, invoice_id):
        # Not retried after a lost answer: sending a SENT invoice again re-delivers it
        # (API_NOTES §4.5), so the caller reads the status instead.
        return self.put(f"/invoices/{int(invoice_id)}/send", idempotent=False)

    def invalidate_invoice(self, invoice_id):
        return self.put(f"/invoices/{int(invoice_id)}/invalidate")

    def search_invoices(self, **filters):
        """Yield ``InvoiceBasicInfo`` rows of ``GET /invoices`` over all pages
        (API_NOTES §4.8)."""
        return self.paginate("/invoices", params=_list_params(filters))

    def get_invoices(self, ids):
        """Full invoices by id, 200 per request (API_NOTES §3.3); always a list."""
        return self.get_batch("/invoices", ids)

    def payment_events(self, invoice_ids):
        """Yield the payment events of the given invoices, 200 ids per query (API_NOTES
        §4.7).

        With ``concurrency`` above 1 the chunks are read several at a time and
        nothing is yielded before all of them were read.
        """
        chunks = list(_chunks(_unique(invoice_ids), MAX_BATCH_IDS))
        if self.concurrency <= 1:
            for chunk in chunks:
                yield from self.paginate(
                    "/payments/paymentevents", params={"invoiceId": ",".join(chunk)}
                )
            return
        for rows in self.map_concurrent(
            lambda chunk: list(
                self.paginate(
                    "/payments/paymentevents", params={"invoiceId": ",".join(chunk)}
                )
            ),
            chunks,
        ):
            yield from rows

    # ------------------------------------------------------- ledger receipts

    def search_ledger_receipts(self, **filters):
        """Yield ledger receipt rows of ``GET /ledgerreceipts`` over all pages
        (API_NOTES §6)."""
        return self.paginate("/ledgerreceipts", params=_list_params(filters))

    def get_ledger_receipts(self, ids):
        """Full ledger receipts by id, 200 per request (API_NOTES §3.3, §6); always a
        list."""
        return self.get_batch("/ledgerreceipts", ids)

    # ----------------------------------------------------- business partners

    def create_business_partner(self, payload):
        return self.post("/businesspartners", json=payload)

    def search_business_partners(self, name=None, identifier=None, **params):
        """Yield partner rows; ``name``/``identifier`` travel as HTTP headers
        (API_NOTES §3.4)."""
        headers = {}
        if name:
            headers["name"] = _header_value(name)
        if identifier:
            headers["identifier"] = _header_value(identifier)
        return self.paginate(
            "/businesspartners", params=_list_params(params), headers=headers or None
        )

    def get_business_partners(self, ids):
        """Full business partners by id, 200 per request (API_NOTES §3.3, §7); always
        a list."""
        return self.get_batch("/businesspartners", ids)

    # -------------------------------------------------------------- products

    def create_product(self, payload):
        return self.post("/products", json=payload)

    def search_products(self, **filters):
        """Yield product rows of ``GET /products``, paged by ``previousId``
        (API_NOTES §9); ``type``, ``code`` and ``name`` filter them."""
        return self.paginate_keyset("/products", params=_list_params(filters))

    # ----------------------------------------------------------- attachments

    def upload_attachment(self, meta, filename, content):
        """POST /attachments as multipart: parts ``meta`` (JSON) and ``file``
        (API_NOTES §11)."""
        mimetype = (
            (meta or {}).get("mimeType")
            or mimetypes.guess_type(filename)[0]
            or "application/octet-stream"
        )
        files = {
            "meta": (None, jsonlib.dumps(meta), "application/json"),
            "file": (filename, content, mimetype),
        }
        return self.post("/attachments", files=files)

    def download_attachment(self, attachment_id):
        """GET /attachments/{id}, a multipart/mixed answer (API_NOTES §11) -> ``(meta,
        content)``.

        ``meta`` is the Attachment JSON (``name``, ``mimeType``...), ``content`` the
        file bytes.
        """
        path = f"/attachments/{int(attachment_id)}"
        raw = self.get(path, expect_json=False)
        meta, content = None, None
        for headers, part in _multipart_parts(raw):
            if meta is None and "json" in headers.get("content-type", ""):
                meta = jsonlib.loads(part)
            elif content is None:
                content = part
        if meta is None or content is None:
            raise ProcountorError(
                "attachment answer lacks its meta or file part",
                status=200,
                method="GET",
                path=path,
                host=self.host,
            )
        return meta, content

    # ------------------------------------------------------- payment events

    def invoice_payment_events(self, invoice_id):
        """All ``PaymentEvent`` rows of one invoice, every page (API_NOTES §4.7, §3.4).

        Unlike the bulk :meth:`payment_events` rows, these carry the event type.
        """
        return list(self.paginate(f"/invoices/{int(invoice_id)}/paymentevents"))


# ------------------------------------------------------------------- helpers


def _row_key(row):
    """What identifies a list row when paging a bare array: its id, else its content."""
    if isinstance(row, dict) and row.get("id") is not None:
        return ("id", row["id"])
    return ("json", jsonlib.dumps(row, sort_keys=True, default=str))


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique(ids):
    seen, result = set(), []
    for value in ids or ():
        text = str(value).strip()
        if text and text not in seen:
            seen.add(text)
            result.append(text)
    return result


def _list_params(params):
    """Multi-valued filters are comma-separated (API_NOTES §3.4)."""
    result = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        result[key] = value
    return result


def _header_value(value):
    # Header values must be a single line; http.client sends str as Latin-1, anything
    # beyond it is sent as UTF-8 bytes [INFER: Procountor's decoding is undocumented].
    text = " ".join(str(value).split())
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
    return text


def _multipart_parts(body):
    """Split a multipart body into ``[(headers, content)]``, keeping binary content
    intact.

    Only the body is at hand, so the boundary is read from its first line.
    """
    first_line = body.split(b"\r\n", 1)[0]
    if not first_line.startswith(b"--") or len(first_line) < 3:
        return []
    parts = []
    for chunk in (b"\r\n" + body).split(b"\r\n" + first_line.rstrip())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip().lower()
        parts.append((headers, content))
    return parts
