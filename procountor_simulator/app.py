"""The WSGI application: request log, faults, gateway rules, auth, rate limit, routing.

Order of the pipeline for every request:

1. log the request (``sim.requests``);
2. ``delay_next`` rules and ``sim.latency`` (sleep outside the lock);
3. ``drop_next``: close the connection, nothing handled;
4. ``fail_next``: answer the injected status;
5. the gateway refuses GET with a body (403, API_NOTES §1);
6. ``/oauth/token`` or a valid Bearer token (401 otherwise, §2.1);
7. the per-client rate limit (429, §3.8);
8. the endpoint, under the simulator lock;
9. ``lose_response_next``: the answer is thrown away and the connection closed.
"""

import json
import logging
import re
import socket
import time

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import demo, endpoints
from .errors import ApiError, error_body

_logger = logging.getLogger(__name__)

# /api plus the version-pinned prefixes /latest/api, /supported/api, /vYYMM/api (§1).
API_PREFIX = re.compile(r"^(?:/latest|/supported|/v\d{4})?/api(?P<rest>/.*)?$")
JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SimulatedDrop(ConnectionError):
    """Raised instead of dropping when there is no real socket
    (werkzeug.test.Client)."""


def json_response(status, body, headers=None):
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )


def error_response(status, message, headers=None):
    return json_response(status, error_body(status, message), headers)


class Context:
    """What a handler needs: the simulator, its store, the request and its parsed
    body."""

    def __init__(self, sim, request, body, body_error, client_id):
        self.sim = sim
        self.store = sim.store
        self.request = request
        self._body = body
        self._body_error = body_error
        self.client_id = client_id

    def json(self, required=True):
        """The JSON body; 400 when it is malformed, or missing and ``required``."""
        if self._body_error:
            raise ApiError(400, f"Malformed JSON body: {self._body_error}")
        if self._body is None and required:
            raise ApiError(400, "Request body is required")
        return self._body

    def arg(self, name, default=None):
        value = self.request.args.get(name)
        return default if value in (None, "") else value

    def int_arg(self, name, default=None, minimum=None):
        value = self.arg(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ApiError(400, "INVALID_VALUE", field=name) from None
        if minimum is not None and number < minimum:
            raise ApiError(400, "OUT_OF_RANGE", field=name)
        return number

    def bool_arg(self, name, default=None):
        value = self.arg(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            raise ApiError(400, "INVALID_VALUE", field=name)
        return value.lower() == "true"

    def list_arg(self, name, allowed=None):
        """Comma-separated multi-value filter (§3.4); None when absent."""
        value = self.arg(name)
        if value is None:
            return None
        items = [item.strip() for item in value.split(",") if item.strip()]
        if allowed is not None and any(item not in allowed for item in items):
            raise ApiError(400, "INVALID_VALUE", field=name)
        return items

    def header_text(self, name):
        """A text header; UTF-8 bytes sent raw are decoded (WSGI hands us latin-1)."""
        value = self.request.headers.get(name)
        if value is None:
            return None
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value


class SimulatorApp:
    """WSGI callable for one :class:`~procountor_simulator.simulator.Simulator`."""

    def __init__(self, sim):
        self.sim = sim
        self.url_map = Map(
            [
                Rule(pattern, endpoint=pattern, methods=sorted(handlers))
                for pattern, handlers in endpoints.ROUTES.items()
            ],
            strict_slashes=False,
            merge_slashes=False,
        )

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.handle(request)
        if response is None:
            return self._drop(environ, start_response)
        return response(environ, start_response)

    # --- pipeline --------------------------------------------------------------

    def handle(self, request):
        """Return a Response, or None to drop the connection."""
        sim = self.sim
        if getattr(sim, "demo_pages", False) and request.path.startswith("/demo"):
            response = demo.handle(sim, request)
            if response is not None:
                return response
        match = API_PREFIX.match(request.path)
        rel_path = (match.group("rest") or "/") if match else request.path
        body, form, body_error = self._read_body(request)
        record = {
            "method": request.method,
            "path": rel_path,
            "query": request.args.to_dict(),
            "headers": dict(request.headers.items()),
            "json": body,
            "form": form,
            "status": None,
            "dropped": None,  # "request" (drop_next) or "response" (lose_response_next)
            "handled_status": None,  # what lose_response_next threw away
            "time": time.time(),
        }
        sim._log_request(record)

        delay = sim._take_fault("delay", request.method, rel_path)
        pause = (sim.latency or 0) + (delay.params["seconds"] if delay else 0)
        if pause > 0:
            time.sleep(pause)
        if sim._take_fault("drop", request.method, rel_path):
            record["dropped"] = "request"
            return None
        failure = sim._take_fault("fail", request.method, rel_path)
        if failure is not None:
            response = self._fault_response(failure.params)
        elif match is None:
            response = error_response(404, f"No such path: {request.path}")
        else:
            response = self._dispatch(request, rel_path, body, body_error)
        if sim._take_fault("lose", request.method, rel_path):
            record["dropped"] = "response"
            record["handled_status"] = response.status_code
            return None
        record["status"] = response.status_code
        return response

    @staticmethod
    def _read_body(request):
        """(json, form, json_error) for the request log and the handlers."""
        mimetype = request.mimetype
        if mimetype in FORM_TYPES:
            return None, request.form.to_dict(), None
        data = request.get_data(cache=True)
        if not data:
            return None, None, None
        if mimetype in JSON_TYPES or mimetype.endswith("+json") or not mimetype:
            try:
                return json.loads(data.decode("utf-8")), None, None
            except (UnicodeDecodeError, ValueError) as exc:
                return None, None, str(exc)
        return None, None, None

    @staticmethod
    def _fault_response(params):
        status, body = params["status"], params.get("body")
        headers = {}
        if params.get("retry_after") is not None:
            headers["Retry-After"] = str(params["retry_after"])
        if body is None:
            if status >= 400:
                return error_response(status, f"Simulated failure ({status})", headers)
            return Response(b"", status=status, headers=headers)
        if isinstance(body, (dict, list)):
            return json_response(status, body, headers)
        return Response(body, status=status, headers=headers)

    def _dispatch(self, request, rel_path, body, body_error):
        sim = self.sim
        # The Azure gateway in front of Procountor refuses GETs that carry a body (§1).
        if request.method == "GET" and (
            request.content_length or request.headers.get("Transfer-Encoding")
        ):
            return error_response(403, "GET requests must not carry a body")
        if rel_path == "/oauth/token":
            client_id = request.form.get("client_id")
            if client_id != sim.credentials["client_id"]:
                client_id = None
        else:
            client_id = self._authenticate(request)
            if client_id is None:
                return error_response(401, "UNAUTHORIZED")
        if sim._rate_limited(client_id):
            return error_response(429, "Too many requests", {"Retry-After": "1"})

        adapter = self.url_map.bind("simulator")
        try:
            pattern, args = adapter.match(rel_path, method=request.method)
        except MethodNotAllowed as exc:
            return error_response(
                405,
                f"Method {request.method} not allowed",
                {"Allow": ", ".join(exc.valid_methods or ())},
            )
        except NotFound:
            return error_response(404, f"No such path: /api{rel_path}")
        handlers = endpoints.ROUTES[pattern]
        handler = handlers.get(request.method) or handlers.get("GET")  # HEAD uses GET
        with sim._lock:
            context = Context(sim, request, body, body_error, client_id)
            try:
                result = handler(context, **args)
            except ApiError as exc:
                return json_response(exc.status, exc.body(), exc.headers)
            except Exception:  # a simulator bug: answer 500 like a broken server would
                _logger.exception(
                    "simulator handler failed for %s %s", request.method, rel_path
                )
                return error_response(500, "Internal simulator error")
        return self._to_response(result)

    def _authenticate(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.sim._token_client(token.strip())

    @staticmethod
    def _to_response(result):
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(b"", status=204)
        if isinstance(result, tuple):
            status, body = result
            return json_response(status, body)
        return json_response(200, result)

    @staticmethod
    def _drop(environ, start_response):
        """Close the TCP connection without an answer.

        werkzeug's dev server exposes the socket as ``werkzeug.socket``; shutting it
        down makes the client see the connection closed (requests raises
        ConnectionError). The server's later write fails with a broken pipe, which it
        treats as a dropped client.
        """
        sock = environ.get("werkzeug.socket")
        if sock is None:
            raise SimulatedDrop("simulated connection drop")
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError as exc:  # the client may have gone already
            _logger.debug("socket shutdown failed: %s", exc)
        start_response("500 Dropped", [("Content-Length", "0")])
        return [b""]
