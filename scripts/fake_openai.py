#!/usr/bin/env python3
"""An OpenAI-compatible completions server on loopback that misbehaves on purpose, for the tests of the
remote engine (standard library only).

POST /v1/completions streams Server-Sent Events as vLLM does: one `data: {"choices": [{"index", "text",
"token_ids", "finish_reason"}]}` per generated id and sample, then `data: [DONE]`. Sample i's ids are the
prompt's ids reversed and rotated by i, cut at max_tokens. The model id chooses the behaviour:

- good          answers as above;
- busy-once     429 with Retry-After: 1 on the first request, then good;
- busy          503 with Retry-After: 1 always;
- malformed     a first event that is not JSON;
- truncated     two ids, then the connection closes: no finish_reason, no [DONE];
- longer        max_tokens + 3 ids;
- silent        headers, then nothing (the client's timeout must fire);
- text-only     400 for a prompt of ids ("prompt must be a string"), and text without ids for a string prompt.

Any other model id is 404 ("The model `x` does not exist."), and GET /v1/models lists the ones above.
Every request body is appended to --log as one JSON line. The port (bound to 0 unless --port) is written to
--port-file once listening.
"""
import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

from loopback_server import serve

MODELS = ["good", "busy-once", "busy", "malformed", "truncated", "longer", "silent", "text-only"]


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply_json(self, status, obj, headers=()):
            body = json.dumps(obj).encode()
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/models":
                return self.reply_json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in MODELS]})
            self.reply_json(404, {"error": {"message": "not found"}})

        def start_stream(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

        def event(self, obj):
            data = obj if isinstance(obj, str) else json.dumps(obj)
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            if state.log:
                with state.lock, open(state.log, "a") as f:
                    f.write(json.dumps(request, sort_keys=True) + "\n")
            if self.path.rstrip("/") != "/v1/completions":
                return self.reply_json(404, {"error": {"message": "not found"}})
            model = request.get("model")
            if model not in MODELS:
                return self.reply_json(404, {"error": {"message": f"The model `{model}` does not exist.",
                                                       "type": "NotFoundError", "code": 404}})
            if model == "busy" or (model == "busy-once" and state.count("busy-once") == 1):
                return self.reply_json(429 if model == "busy-once" else 503, {"error": {"message": "overloaded"}},
                                       [("Retry-After", "1")])
            prompt = request.get("prompt")
            if model == "text-only" and not isinstance(prompt, str):
                return self.reply_json(400, {"error": {"message": "prompt must be a string"}})
            n = int(request.get("n", 1))
            max_tokens = int(request.get("max_tokens", 16))
            # Sample i answers the prompt's ids reversed, rotated by i (so samples differ).
            ids = list(reversed(prompt if isinstance(prompt, list) else [0]))
            scripts = [(ids[i % len(ids):] + ids[:i % len(ids)])[:max_tokens] for i in range(n)]
            if model == "longer":
                scripts = [(s * (max_tokens + 3))[:max_tokens + 3] for s in scripts]
            self.start_stream()
            if model == "silent":
                time.sleep(30)
                return
            if model == "malformed":
                self.event("{this is not json")
                return
            if model == "text-only":
                for i in range(n):
                    self.event({"choices": [{"index": i, "text": "Tokyo.", "finish_reason": "stop"}]})
                self.event("[DONE]")
                return
            for i, ids in enumerate(scripts):
                for k, token in enumerate(ids):
                    if model == "truncated" and k == 2:
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    last = k == len(ids) - 1
                    finish = None
                    if last:
                        finish = "length" if len(ids) >= max_tokens else "stop"
                    self.event({"choices": [{"index": i, "text": "", "token_ids": [token], "finish_reason": finish}]})
            self.event("[DONE]")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()

    class State:
        def __init__(self):
            self.lock = threading.Lock()
            self.counts = {}

        def count(self, model):
            with self.lock:
                self.counts[model] = self.counts.get(model, 0) + 1
                return self.counts[model]

    state = State()
    state.log = args.log
    serve(make_handler(state), args.port, args.port_file, "fake OpenAI server")


if __name__ == "__main__":
    main()
