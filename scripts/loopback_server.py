"""Shared start-up of the test servers under scripts/ (fake_hub.py, fake_openai.py): a threading HTTP server
on 127.0.0.1 that writes its port to a file once listening, so a test can start it on port 0 and find it."""
import os
import sys
from http.server import ThreadingHTTPServer


def serve(handler, port=0, port_file=None, label="test server"):
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(tmp, port_file)  # the test sees the whole port number or nothing
    print(f"{label} on http://127.0.0.1:{server.server_address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()
