"""The assignment's backend: an HTTP server on port 3000 that reports which databases it reaches.

GET /        a small HTML status page (open http://localhost:3000 in a browser)
GET /status  the same as JSON
Standard library only, so the image needs no pip install.
"""
import html
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from probes import mongo, postgres, redis

env = os.environ.get


def postgres_password() -> str:
    """The password from the file Compose mounts (a secret), else from the environment."""
    path = env("POSTGRES_PASSWORD_FILE")
    if path:
        with open(path) as secret:
            return secret.read().strip()
    return env("POSTGRES_PASSWORD", "")


def check_all() -> dict:
    # Each address is SERVICE NAME:CONTAINER PORT, resolved by Compose's network DNS.
    checks = {
        "postgres": (env("POSTGRES_HOST", "postgres"), 5432, lambda host, port: postgres.probe(
            host, port, env("POSTGRES_USER", "postgres"), postgres_password(),
            env("POSTGRES_DB", env("POSTGRES_USER", "postgres")))),
        "redis": (env("REDIS_HOST", "redis"), 6379, redis.probe),
        "mongo": (env("MONGO_HOST", "mongo"), 27017, mongo.probe),
    }
    results = {}
    for name, (host, port, probe) in checks.items():
        try:
            results[name] = {"address": f"{host}:{port}", "ok": True, "detail": probe(host, port)}
        except Exception as error:  # the error itself is what the page should show
            results[name] = {"address": f"{host}:{port}", "ok": False,
                             "detail": f"{type(error).__name__}: {error}"}
    return results


def status_page(results: dict) -> str:
    rows = "".join(
        f"<tr><td>{name}</td><td>{html.escape(r['address'])}</td>"
        f"<td>{'reachable' if r['ok'] else 'NOT reachable'}</td><td>{html.escape(r['detail'])}</td></tr>"
        for name, r in results.items())
    return ("<!doctype html><html><head><meta charset='utf-8'><title>backend status</title></head>"
            "<body><h1>The backend is running</h1>"
            "<table border='1'><tr><th>service</th><th>address</th><th>state</th><th>detail</th></tr>"
            f"{rows}</table><p>JSON: <a href='/status'>/status</a></p></body></html>")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/status":
            body, kind = json.dumps(check_all(), indent=2).encode(), "application/json"
        elif self.path == "/":
            body, kind = status_page(check_all()).encode(), "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# --8<-- [start:listen]
if __name__ == "__main__":
    # 0.0.0.0, not 127.0.0.1: inside the container, 127.0.0.1 would shut out
    # everything arriving from outside it, published port included.
    ThreadingHTTPServer(("0.0.0.0", 3000), Handler).serve_forever()
# --8<-- [end:listen]
