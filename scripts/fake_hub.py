#!/usr/bin/env python3
"""A stand-in for the Hugging Face Hub on loopback, for the tests of `zoo pull` (standard library only).

It serves local folders as Hub repositories at the Hub's URL shapes and with the Hub's headers:

- GET  /api/models/{repo}/revision/{rev}[?blobs=true]  -> {"id", "sha", "siblings": [{"rfilename", "size",
       "blobId", "lfs": {"sha256", "size", "pointerSize"}}]}; /api/models/{repo}/tree/{rev} as huggingface_hub lists

- HEAD|GET /{repo}/resolve/{rev}/{file}  -> a file kept in git: 200 with ETag = its git blob id; an LFS file
       (*.safetensors, *.gguf): 302 to /cdn/{sha256} with X-Linked-Etag = the sha256, X-Linked-Size, and an
       ETag of its own (the pointer's), as the Hub answers. Both carry X-Repo-Commit.
- GET  /cdn/{sha256}  -> the bytes, with Range support (206 and Content-Range).

Errors use the Hub's X-Error-Code header: RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo.

Misbehaviour on purpose: --cut FILE:BYTES closes the connection after BYTES bytes of the first full
transfer of FILE; --corrupt FILE flips a byte of FILE on the wire. Every request is appended to --log as
"METHOD PATH RANGE". The port (bound to 0 unless --port) is written to --port-file once listening.
"""
import argparse
import hashlib
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from loopback_server import serve

LFS_SUFFIXES = (".safetensors", ".gguf")


class Repo:
    def __init__(self, repo_id, folder):
        self.id = repo_id
        self.files = {}
        for root, _, names in os.walk(folder):
            for name in sorted(names):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, folder).replace(os.sep, "/")
                with open(path, "rb") as f:
                    data = f.read()
                self.files[rel] = data
        digest = hashlib.sha1(repo_id.encode())
        for rel in sorted(self.files):
            digest.update(rel.encode() + hashlib.sha256(self.files[rel]).digest())
        self.commit = digest.hexdigest()

    @staticmethod
    def is_lfs(name):
        return name.endswith(LFS_SUFFIXES)

    @staticmethod
    def git_blob_id(data):
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    def sibling(self, name):
        data = self.files[name]
        entry = {"rfilename": name, "size": len(data), "blobId": self.git_blob_id(data)}
        if self.is_lfs(name):
            entry["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return entry


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def record(self):
            if state.log:
                with state.lock, open(state.log, "a") as f:
                    f.write(f"{self.command} {self.path} {self.headers.get('Range', '-')}\n")

        def do_HEAD(self):
            self.record()
            self.route(head=True)

        def do_GET(self):
            self.record()
            self.route(head=False)

        # -- answers

        def reply(self, status, headers=(), body=b"", head=False):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head and body:
                self.wfile.write(body)

        def error(self, status, code, message, head=False):
            body = json.dumps({"error": message}).encode()
            self.reply(status, [("X-Error-Code", code), ("X-Error-Message", message),
                                ("Content-Type", "application/json")], body, head)

        def authorized(self, repo):
            if repo.id not in state.gated:
                return True
            return self.headers.get("Authorization") == f"Bearer {state.token}"

        def find_repo(self, parts):
            """The repo whose id is a prefix of `parts` (ids have one or two segments)."""
            for n in (2, 1):
                repo_id = "/".join(parts[:n])
                if repo_id in state.repos:
                    return state.repos[repo_id], parts[n:]
            return None, parts

        def route(self, head):
            path = unquote(urlsplit(self.path).path)
            parts = [p for p in path.split("/") if p]
            if parts[:2] == ["api", "models"]:
                repo, rest = self.find_repo(parts[2:])
                if repo is None:
                    return self.error(401, "RepoNotFound", "Repository not found", head)
                if not self.authorized(repo):
                    return self.error(401, "GatedRepo", f"Access to model {repo.id} is restricted.", head)
                if len(rest) >= 2 and rest[0] == "tree" and rest[1] in ("main", repo.commit):
                    # huggingface_hub's own listing (what snapshot_download reads), for checking the cache
                    # it writes against ours.
                    entries = []
                    for n in sorted(repo.files):
                        s = repo.sibling(n)
                        entry = {"type": "file", "oid": s["blobId"], "size": s["size"], "path": n}
                        if "lfs" in s:
                            entry["lfs"] = {"oid": s["lfs"]["sha256"], "size": s["size"], "pointerSize": 134}
                        entries.append(entry)
                    return self.reply(200, [("Content-Type", "application/json")], json.dumps(entries).encode(), head)
                if len(rest) < 2 or rest[0] != "revision" or "/".join(rest[1:]) not in ("main", repo.commit):
                    return self.error(404, "RevisionNotFound", "Invalid rev id", head)
                body = json.dumps({"id": repo.id, "sha": repo.commit,
                                   "siblings": [repo.sibling(n) for n in sorted(repo.files)]}).encode()
                return self.reply(200, [("Content-Type", "application/json")], body, head)
            if parts[:1] == ["cdn"] and len(parts) == 2:
                for repo in state.repos.values():
                    for name, data in repo.files.items():
                        if hashlib.sha256(data).hexdigest() == parts[1]:
                            return self.send_bytes(name, data, head)
                return self.reply(404, head=head)
            repo, rest = self.find_repo(parts)
            if repo is None or len(rest) < 3 or rest[0] != "resolve":
                return self.error(401, "RepoNotFound", "Repository not found", head)
            if not self.authorized(repo):
                return self.error(401, "GatedRepo", f"Access to model {repo.id} is restricted.", head)
            if rest[1] not in ("main", repo.commit):
                return self.error(404, "RevisionNotFound", "Invalid rev id", head)
            name = "/".join(rest[2:])
            if name not in repo.files:
                return self.error(404, "EntryNotFound", f"{name} does not exist", head)
            data = repo.files[name]
            common = [("X-Repo-Commit", repo.commit)]
            if repo.is_lfs(name):
                sha = hashlib.sha256(data).hexdigest()
                pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()
                # The CDN is another host, as on the Hub (clients must not follow with the token).
                cdn = f"http://localhost:{self.server.server_address[1]}"
                return self.reply(302, common + [
                    ("Location", f"{cdn}/cdn/{sha}"), ("X-Linked-Etag", f'"{sha}"'),
                    ("X-Linked-Size", str(len(data))), ("ETag", f'"{repo.git_blob_id(pointer)}"')], b"", head)
            return self.send_bytes(name, data, head, common + [("ETag", f'"{repo.git_blob_id(data)}"')])

        def send_bytes(self, name, data, head, headers=()):
            start = 0
            status = 200
            extra = list(headers) + [("Accept-Ranges", "bytes")]
            spec = self.headers.get("Range")
            if spec and spec.startswith("bytes=") and spec.endswith("-"):
                start = int(spec[len("bytes="):-1])
                if start >= len(data):
                    return self.reply(416, extra + [("Content-Range", f"bytes */{len(data)}")], b"", head)
                status = 206
                extra.append(("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"))
            body = data[start:]
            if name in state.corrupt and body:
                body = bytes([body[0] ^ 0xFF]) + body[1:]
            cut = None
            with state.lock:
                if name in state.cut and not head:
                    cut = state.cut.pop(name)
            if cut is None:
                return self.reply(status, extra, body, head)
            # Promise the whole body, send part of it, and hang up: an interrupted transfer.
            self.send_response(status)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", action="append", default=[], metavar="ORG/NAME=FOLDER")
    parser.add_argument("--gated", action="append", default=[], metavar="ORG/NAME")
    parser.add_argument("--token", default="hf_test_token")
    parser.add_argument("--cut", action="append", default=[], metavar="FILE:BYTES")
    parser.add_argument("--corrupt", action="append", default=[], metavar="FILE")
    parser.add_argument("--log")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()

    class State:
        pass

    state = State()
    state.repos = {}
    for spec in args.repo:
        repo_id, folder = spec.split("=", 1)
        state.repos[repo_id] = Repo(repo_id, folder)
    state.gated = set(args.gated)
    state.token = args.token
    state.cut = {name: int(n) for name, n in (c.rsplit(":", 1) for c in args.cut)}
    state.corrupt = set(args.corrupt)
    state.log = args.log
    state.lock = threading.Lock()
    serve(make_handler(state), args.port, args.port_file, "fake hub")


if __name__ == "__main__":
    main()
