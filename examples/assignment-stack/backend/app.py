"""The assignment's backend: a small Flask app on port 3000 that checks its three databases.

GET /         an HTML page: which databases answer
GET /status   the same as JSON: 200 when all of them answer, 503 when one does not
GET /healthz  "ok" without asking any database: the container's healthcheck
"""
import os

import psycopg
import redis
from flask import Flask, render_template_string
from pymongo import MongoClient

app = Flask(__name__)

# Each address is a SERVICE NAME and the CONTAINER PORT: Compose's network resolves the names.
POSTGRES = {"host": os.environ.get("POSTGRES_HOST", "postgres"), "port": 5432,
            "user": os.environ.get("POSTGRES_USER", "postgres"),
            "dbname": os.environ.get("POSTGRES_DB", "postgres")}
REDIS_HOST = os.environ.get("REDIS_HOST", "redis")
MONGO_HOST = os.environ.get("MONGO_HOST", "mongo")


def postgres_password() -> str:
    """The password from the file Compose mounts (a secret), else from the environment."""
    path = os.environ.get("POSTGRES_PASSWORD_FILE")
    if path:
        with open(path) as secret:
            return secret.read().strip()
    return os.environ.get("POSTGRES_PASSWORD", "")


def check_postgres() -> str:
    with psycopg.connect(**POSTGRES, password=postgres_password(), connect_timeout=3) as conn:
        (one,) = conn.execute("SELECT 1").fetchone()
        return f"SELECT 1 -> {one} (PostgreSQL {conn.info.server_version // 10000})"


def check_redis() -> str:
    client = redis.Redis(host=REDIS_HOST, port=6379, socket_timeout=3, socket_connect_timeout=3)
    return f"PING -> {client.ping()}"


def check_mongo() -> str:
    with MongoClient(MONGO_HOST, 27017, serverSelectionTimeoutMS=3000) as client:
        return f"ping -> ok: {client.admin.command('ping')['ok']:g}"


CHECKS = {"postgres": (f"{POSTGRES['host']}:5432", check_postgres),
          "redis": (f"{REDIS_HOST}:6379", check_redis),
          "mongo": (f"{MONGO_HOST}:27017", check_mongo)}


def check_all() -> tuple[dict, int]:
    results = {}
    for name, (address, check) in CHECKS.items():
        try:
            results[name] = {"address": address, "ok": True, "detail": check()}
        except Exception as error:  # the error itself is what the page should show
            results[name] = {"address": address, "ok": False, "detail": f"{type(error).__name__}: {error}"}
    # 503 Service Unavailable: a script or a healthcheck sees that something is wrong.
    return results, 200 if all(r["ok"] for r in results.values()) else 503


PAGE = """<!doctype html><title>backend status</title>
<h1>The backend is running</h1>
<table border="1"><tr><th>service</th><th>address</th><th>state</th><th>detail</th></tr>
{% for name, r in results.items() %}<tr><td>{{ name }}</td><td>{{ r.address }}</td>
<td>{{ "reachable" if r.ok else "NOT reachable" }}</td><td>{{ r.detail }}</td></tr>{% endfor %}
</table><p>JSON: <a href="/status">/status</a></p>"""


@app.get("/")
def index():
    results, code = check_all()
    return render_template_string(PAGE, results=results), code


@app.get("/status")
def status():
    return check_all()


@app.get("/healthz")
def healthz():
    return "ok"


# --8<-- [start:listen]
if __name__ == "__main__":
    # 0.0.0.0, not 127.0.0.1: inside the container, 127.0.0.1 would shut out
    # everything arriving from outside it, published port included.
    app.run(host="0.0.0.0", port=3000)
# --8<-- [end:listen]
