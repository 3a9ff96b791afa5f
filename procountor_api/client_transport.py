"""Transport of the Procountor client: token, timeouts, retries, throttling.

:class:`ProcountorTransport` sends one call and knows no path but the token's;
the resources and their paths are in ``client.py``. It knows nothing of Odoo;
the section numbers below refer to ``shared/procountor/API_NOTES.md``.

Retry policy (``ProcountorTransport._call``):

* Idempotent requests (GET, PUT, PATCH, DELETE and the token POST) are retried
  with exponential backoff on 429, 502, 503, 504, timeouts and connection
  errors, up to ``max_attempts`` sends. PUT counts as idempotent: the state
  transitions (approve, send) answer 403 when repeated on the wrong status
  instead of acting twice (API_NOTES §3.5, §4.5), and PUT/PATCH edits carry a
  ``version`` that makes a repeated edit fail rather than apply twice (§3.7).
  So a retry after a lost answer can surface as 403/404/409 although the first
  send succeeded; callers re-read the object when that matters. The send
  action is the exception: a SENT invoice may be sent again (§4.5), so
  ``send_invoice`` is treated like a create.
* Non-idempotent requests (POST creates) are resent only when Procountor
  provably did not act: the connection was never established (connect
  timeout, refused, DNS) or the answer was 429, which is refused before
  handling. A read timeout, a connection dropped after sending, a 5xx answer
  or an unreadable success answer raise ``ProcountorUnknownOutcome`` at once:
  the caller must look the object up before sending again.
* A 401 on an API call drops the token, fetches a new one and resends once.
"""

import ipaddress
import json as jsonlib
import logging
import random as _random
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests

from .client_answers import TransportAnswers
from .client_http import (
    _json_default,
    _json_or_none,
    _read_seconds,
    _send_headers,
    _strip_query,
)
from .errors import (
    ProcountorAuthError,
    ProcountorError,
    ProcountorTimeoutError,
    parse_errors,
)
from .throttle import LocalThrottle

# One log name for the whole client, whichever of its modules logs.
_logger = logging.getLogger(__package__ + ".client")

# API_NOTES §1.
ENVIRONMENT_URLS = {
    "production": "https://api.procountor.com/api",
    "test": "https://pts-api.procountor.com/api",
}


def plain_http_refused(url):
    """True when ``url`` is plain ``http://`` to a host other than this
    machine: the client secret and the API key would travel unencrypted."""
    parts = urlsplit((url or "").strip())
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


TOKEN_PATH = "/oauth/token"
# Renew a minute early: a token that expires mid-call costs a 401 and a second trip.
TOKEN_MARGIN = 60
# Procountor's tokens live 3600 s (API_NOTES §2.1); used when expires_in is missing.
DEFAULT_TOKEN_LIFETIME = 3600


class ProcountorTransport(TransportAnswers):
    """Sends calls to one Procountor company through one API key (M2M flow,
    API_NOTES §2.1): token, throttle, retries, logging hook.

    All public calls return parsed JSON (None for empty answers) or raise a
    :class:`ProcountorError` subclass. ``sleep``, ``clock``, ``random`` and
    ``session`` are injectable so tests need no real waiting.
    """

    def __init__(
        self,
        base_url,
        client_id,
        client_secret,
        api_key,
        redirect_uri="",
        *,
        timeout=(5, 30),
        max_attempts=4,
        backoff=0.5,
        max_backoff=8.0,
        rate_limit=20,
        on_call=None,
        session=None,
        sleep=time.sleep,
        clock=time.monotonic,
        random=_random.random,
        max_retry_after=60.0,
        throttle=None,
        concurrency=1,
    ):
        if not base_url:
            raise ValueError("base_url is required")
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).hostname or self.base_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._api_key = api_key
        self.redirect_uri = redirect_uri or ""
        self.timeout = timeout
        self.max_attempts = max(1, int(max_attempts))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.rate_limit = rate_limit
        self.on_call = on_call
        self.session = session if session is not None else requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._token = None
        self._previous_token = None
        self._token_expiry = 0.0
        self._token_lock = threading.RLock()
        # Per thread: the deadline of the block a user is waiting on, if any.
        self._local = threading.local()
        # Anything with acquire() -> slot and release(slot); by default this
        # process's own count (see LocalThrottle).
        if throttle is None and rate_limit:
            throttle = LocalThrottle(rate_limit, sleep=sleep, clock=clock)
        self.throttle = throttle
        # Bulk reads (get_batch, payment_events) keep up to this many requests
        # in flight; the throttle still bounds them.
        self.concurrency = max(1, int(concurrency or 1))
        self._counter_lock = threading.Lock()
        self.token_requests = 0
        self.calls = 0
        if plain_http_refused(self.base_url):
            raise ValueError(
                "plain http:// is accepted only for loopback hosts: "
                "the credentials would travel unencrypted"
            )

    # ------------------------------------------------------------------ token

    def get_token(self):
        """Return a valid access token; fetch one when none is cached or it is about
        to expire."""
        with self._token_lock:
            if self._token is None or self._clock() >= self._token_expiry:
                try:
                    self._fetch_token()
                except ProcountorError as error:
                    error.scrub(self.secret_values())
                    raise
            return self._token

    def secret_values(self):
        """The literal secrets this client holds: client secret, API key, tokens."""
        return [
            value
            for value in (
                self._client_secret,
                self._api_key,
                self._token,
                self._previous_token,
            )
            if value
        ]

    @contextmanager
    def deadline(self, seconds, read_timeout=None):
        """Within the block, this thread's calls make one attempt each, wait at
        most ``read_timeout`` seconds for an answer, and none starts or waits
        beyond ``seconds`` from now: for a user waiting on a button. Outside
        such a block the retries apply. A passed deadline raises
        ProcountorTimeoutError with ``deadline`` set to the seconds waited."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = (self._clock() + seconds, read_timeout, seconds)
        try:
            yield self
        finally:
            self._local.deadline = previous

    def invalidate_token(self):
        """Forget the cached token; the next call fetches a new one."""
        with self._token_lock:
            # An answer may still echo the old token: keep blanking it out.
            self._previous_token = self._token or self._previous_token
            self._token = None
            self._token_expiry = 0.0

    def _fetch_token(self):
        # Form body, never query parameters: a client that sent them in the URL
        # broke in Sept 2023 (API_NOTES §2.1).
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "api_key": self._api_key,
        }
        if self.redirect_uri:
            form["redirect_uri"] = self.redirect_uri
        started = self._clock()
        body = self._call("POST", TOKEN_PATH, data=form, idempotent=True, auth=False)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ProcountorAuthError(
                "token answer holds no access_token",
                method="POST",
                path=TOKEN_PATH,
                host=self.host,
            )
        try:
            lifetime = float(body.get("expires_in") or DEFAULT_TOKEN_LIFETIME)
        except (TypeError, ValueError):
            lifetime = DEFAULT_TOKEN_LIFETIME
        # A very short-lived token would otherwise be renewed on every call.
        margin = min(TOKEN_MARGIN, lifetime / 2)
        self._token = token
        self._token_expiry = started + lifetime - margin

    # ---------------------------------------------------------------- generic

    def request(
        self,
        method,
        path,
        *,
        params=None,
        json=None,
        data=None,
        files=None,
        headers=None,
        idempotent=None,
        expect_json=True,
        timeout=None,
    ):
        """Send one API call with token, throttling and retries; return the answer.

        ``idempotent`` decides what may be retried: by default everything but
        POST (creates). Returns parsed JSON, None for an empty answer, or bytes
        when ``expect_json`` is False. Raises a ProcountorError subclass.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method != "POST" or _strip_query(path) == TOKEN_PATH
        try:
            return self._call(
                method,
                path,
                params=params,
                json=json,
                data=data,
                files=files,
                headers=headers,
                idempotent=idempotent,
                expect_json=expect_json,
                timeout=timeout,
                auth=_strip_query(path) != TOKEN_PATH,
            )
        except ProcountorError as error:
            # Procountor's messages may echo what was sent: no literal secret
            # leaves the client in an error, whoever logs or shows it.
            error.scrub(self.secret_values())
            raise

    def get(self, path, params=None, headers=None, **kw):
        return self.request("GET", path, params=params, headers=headers, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --------------------------------------------------------------- internals

    def _call(
        self,
        method,
        path,
        *,
        params=None,
        json=None,
        data=None,
        files=None,
        headers=None,
        idempotent,
        expect_json=True,
        timeout=None,
        auth=True,
    ):
        """The retry loop around :meth:`_attempt`; the policy is in the module
        docstring."""
        path, url, payload = self._prepare(method, path, json, data, files)
        failures = 0
        reauthenticated = False
        attempt = 0
        limit = getattr(self._local, "deadline", None)
        max_attempts = 1 if limit else self.max_attempts
        while True:
            attempt += 1
            self._check_deadline(limit, method, path)
            token = self.get_token() if auth else None
            attempt_timeout = self._bounded_timeout(timeout or self.timeout)
            try:
                response = self._attempt(
                    method,
                    url,
                    path,
                    attempt,
                    params=params,
                    json=json,
                    payload=payload,
                    data=data,
                    files=files,
                    headers=_send_headers(json is not None, token, headers),
                    timeout=attempt_timeout,
                )
            except requests.exceptions.RequestException as exc:
                error, retryable = self._classify_exception(
                    exc, method, path, idempotent
                )
                if limit and isinstance(error, ProcountorTimeoutError):
                    error.deadline = _read_seconds(attempt_timeout)
                failures += 1
                if retryable and failures < max_attempts:
                    self._pause(failures, None, method, path, error)
                    continue
                raise error from exc

            status = response.status_code
            if 200 <= status < 300:
                return self._parse_success(
                    response, method, path, idempotent, expect_json
                )
            if status == 401 and auth and not reauthenticated:
                # The token may have been revoked or expired server-side: one
                # fresh try.
                reauthenticated = True
                with self._token_lock:
                    # Another thread may have renewed it already.
                    if self._token == token:
                        self.invalidate_token()
                continue
            error, retryable, retry_after = self._answer_error(
                response, method, path, auth, idempotent
            )
            failures += 1
            if retryable and failures < max_attempts:
                if retry_after is not None and retry_after > self.max_retry_after:
                    raise error
                self._pause(failures, retry_after, method, path, error)
                continue
            raise error

    def _prepare(self, method, path, json, data, files):
        """The call's path, URL and serialized JSON body; refuses a GET with a
        body."""
        if method == "GET" and (json is not None or data is not None or files):
            # The test gateway answered 403 to GETs with a body (API_NOTES §1).
            raise ValueError("GET requests cannot carry a body")
        if not path.startswith("/"):
            path = "/" + path
        payload = None
        if json is not None:
            # Serialized here so that an unserializable payload is a plain bug
            # (TypeError) rather than a failed request; JSON is UTF-8
            # (API_NOTES §3.1).
            payload = jsonlib.dumps(
                json, ensure_ascii=False, default=_json_default
            ).encode()
        return path, self.base_url + path, payload

    def _check_deadline(self, limit, method, path):
        """Nothing is sent once the user's deadline has passed."""
        if limit and self._clock() >= limit[0]:
            error = ProcountorTimeoutError(
                f"deadline of {limit[2]} s passed before sending",
                method=method,
                path=path,
                host=self.host,
            )
            error.deadline = limit[2]
            raise error

    def _attempt(
        self,
        method,
        url,
        path,
        attempt,
        *,
        params,
        json,
        payload,
        data,
        files,
        headers,
        timeout,
    ):
        """One HTTP exchange: throttle, send, report to ``on_call``. Returns the
        response."""
        throttle = self.throttle
        slot = throttle.acquire() if throttle is not None else None
        with self._counter_lock:
            self.calls += 1
            if path == TOKEN_PATH:
                self.token_requests += 1
        # Bodies are only rendered for the hook: redacting them is not free.
        request_body = self._describe_body(json, data, files) if self.on_call else ""
        started = time.perf_counter()
        try:
            # verify=True always: TLS verification is not configurable.
            response = self.session.request(
                method,
                url,
                params=params,
                data=payload if payload is not None else data,
                files=files,
                headers=headers,
                timeout=timeout or self.timeout,
                verify=True,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            self._report(
                method,
                url,
                path,
                attempt,
                started,
                request_body,
                None,
                None,
                f"{type(exc).__name__}: {exc}",
            )
            raise
        finally:
            if throttle is not None:
                throttle.release(slot)
        status = response.status_code
        error = None
        if not 200 <= status < 300:
            parsed = parse_errors(_json_or_none(response), status)
            error = (
                "; ".join(
                    f"{e['field']}: {e['message']}"
                    if e.get("field")
                    else str(e.get("message"))
                    for e in parsed
                )
                or f"HTTP {status}"
            )
        self._report(
            method,
            url,
            path,
            attempt,
            started,
            request_body,
            status,
            self._describe_response(response) if self.on_call else "",
            error,
        )
        return response

    def _bounded_timeout(self, timeout):
        """``timeout`` (a number or a (connect, read) pair) shortened to the
        current thread's deadline, if any."""
        limit = getattr(self._local, "deadline", None)
        if not limit:
            return timeout
        remaining = max(0.1, limit[0] - self._clock())
        read = min(remaining, limit[1]) if limit[1] else remaining
        if isinstance(timeout, tuple):
            return (min(timeout[0], remaining), min(timeout[1], read))
        return min(timeout, read)

    def _pause(self, failures, retry_after, method, path, error):
        if retry_after is not None:
            delay = max(0.0, retry_after)
        else:
            delay = self.backoff * 2 ** (failures - 1) * (0.5 + self._random())
            delay = min(delay, self.max_backoff)
        _logger.warning(
            "Procountor %s %s failed (%s); retry %d/%d in %.2f s",
            method,
            path,
            self._scrub(str(error)),
            failures,
            self.max_attempts - 1,
            delay,
        )
        self._sleep(delay)
