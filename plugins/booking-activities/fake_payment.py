#!/usr/bin/env python3
"""A fake payment service for the booking activities' ValidatePayment (standard library only).

    python3 plugins/booking-activities/fake_payment.py --port 8099 --api-key dev-key

The first stdout line is ``fake payment service listening on http://HOST:PORT``: grant that
URL to booking-activities as config key PAYMENT_URL (and as an allowed outbound host), and the
API key as PAYMENT_KEY.

``POST /charges`` with ``Authorization: Bearer <api key>`` and a JSON body
``{"itinerary", "attempt", "declines", "traveller"?}`` answers, deterministically:

- 201 ``{"receipt": "receipt for <itinerary>"}`` when ``attempt > declines``;
- 402 ``{"reason": "payment declined", "details": "attempt <n> for <itinerary>"}`` otherwise;
- 401 ``{"reason": "invalid API key"}`` without the right key;
- 400 for a body that is not such a charge, 404 for any other path, 405 for another method.

host/tests/all/common/payment.rs is the same service in Rust, for the host's tests.
"""

import argparse
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Largest request body read, in bytes.
MAX_BODY = 64 * 1024


class BadRequest(Exception):
    pass


def read_body(handler):
    """The request body, with Content-Length or chunked transfer coding."""
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        body = b""
        while True:
            size_line = handler.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise BadRequest("bad chunk size")
            if size == 0:
                # Trailers, up to the empty line.
                while handler.rfile.readline(1024).strip():
                    pass
                return body
            if len(body) + size > MAX_BODY:
                raise BadRequest("body too large")
            body += handler.rfile.read(size)
            handler.rfile.readline(1024)
    try:
        length = int(handler.headers.get("Content-Length", "0"))
    except ValueError:
        raise BadRequest("bad Content-Length")
    if length < 0 or length > MAX_BODY:
        raise BadRequest("body too large")
    return handler.rfile.read(length)


def charge(body):
    """The status and JSON answer for a charge request body."""
    try:
        request = json.loads(body)
        itinerary = request["itinerary"]
        attempt = int(request.get("attempt", 1))
        declines = int(request.get("declines", 0))
        if not isinstance(itinerary, str):
            raise TypeError("itinerary is not a string")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return 400, {"reason": "bad charge", "details": str(error)}
    if attempt <= declines:
        return 402, {
            "reason": "payment declined",
            "details": f"attempt {attempt} for {itinerary}",
        }
    return 201, {"receipt": f"receipt for {itinerary}"}


def handler_for(api_key):
    expected = f"Bearer {api_key}".encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fake-payment/1.0"

        def answer(self, status, document):
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self):
            try:
                body = read_body(self)
            except BadRequest as error:
                self.close_connection = True
                self.answer(400, {"reason": "bad request", "details": str(error)})
                return
            if self.path.split("?")[0].rstrip("/").split("/")[-1] != "charges":
                self.answer(404, {"reason": "not found"})
                return
            given = self.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                self.answer(401, {"reason": "invalid API key"})
                return
            self.answer(*charge(body))

        def do_GET(self):
            self.answer(405, {"reason": "POST /charges"})

        do_PUT = do_DELETE = do_PATCH = do_GET

        def log_message(self, format, *args):
            sys.stderr.write(f"fake-payment: {self.address_string()} {format % args}\n")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8099, help="port (8099; 0 picks a free one)")
    parser.add_argument("--api-key", required=True, help="the key clients must send as Bearer")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), handler_for(args.api_key))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"fake payment service listening on http://{shown}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
