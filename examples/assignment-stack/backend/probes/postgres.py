"""Is postgres there? Log in (SCRAM-SHA-256, md5, cleartext or trust) and run SELECT 1.

PostgreSQL's wire protocol: after the startup message, every message is
one type byte, a 4-byte length (counting itself) and a payload.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct


def probe(host: str, port: int, user: str, password: str, database: str,
          timeout: float = 3) -> str:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        conn = _Connection(sock)
        params = b"".join(k + b"\0" + v.encode() + b"\0"
                          for k, v in ((b"user", user), (b"database", database)))
        conn.send_startup(struct.pack("!i", 196608) + params + b"\0")  # protocol 3.0
        _authenticate(conn, user, password)
        conn.wait_until_ready()
        conn.send(b"Q", b"SELECT 1\0")  # a "simple query"
        rows = conn.wait_until_ready()
        conn.send(b"X", b"")  # Terminate: a polite goodbye
    if rows != [[b"1"]]:
        raise RuntimeError(f"SELECT 1 returned {rows!r}")
    return "login + SELECT 1 -> 1"


class _Connection:
    def __init__(self, sock: socket.socket):
        self.sock = sock

    def send_startup(self, body: bytes) -> None:
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)

    def send(self, kind: bytes, body: bytes) -> None:
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def _read_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("postgres closed the connection")
            data += chunk
        return data

    def receive(self) -> tuple[bytes, bytes]:
        kind, length = struct.unpack("!ci", self._read_exactly(5))
        body = self._read_exactly(length - 4)
        if kind == b"E":  # ErrorResponse: fields of (code byte, text\0); M is the message
            fields = {f[:1]: f[1:].decode() for f in body.split(b"\0") if f}
            raise RuntimeError(f"postgres error: {fields.get(b'M', body)}")
        return kind, body

    def wait_until_ready(self) -> list[list[bytes]]:
        """Read until ReadyForQuery ('Z'); collect the rows (DataRow, 'D') on the way."""
        rows = []
        while True:
            kind, body = self.receive()
            if kind == b"Z":
                return rows
            if kind == b"D":
                rows.append(_data_row(body))


def _data_row(body: bytes) -> list[bytes]:
    (count,), pos, values = struct.unpack_from("!h", body), 2, []
    for _ in range(count):
        (size,) = struct.unpack_from("!i", body, pos)
        pos += 4
        values.append(body[pos:pos + size] if size >= 0 else None)
        pos += max(size, 0)
    return values


def _authenticate(conn: _Connection, user: str, password: str) -> None:
    while True:
        kind, body = conn.receive()
        if kind != b"R":
            raise RuntimeError(f"expected an authentication request, got {kind!r}")
        (code,) = struct.unpack_from("!i", body)
        if code == 0:  # AuthenticationOk
            return
        if code == 3:  # cleartext password
            conn.send(b"p", password.encode() + b"\0")
        elif code == 5:  # md5: md5(md5(password + user) + salt)
            inner = hashlib.md5((password + user).encode()).hexdigest()
            outer = hashlib.md5(inner.encode() + body[4:8]).hexdigest()
            conn.send(b"p", b"md5" + outer.encode() + b"\0")
        elif code == 10:  # SASL: the default since PostgreSQL 14
            mechanisms = body[4:].split(b"\0")
            if b"SCRAM-SHA-256" not in mechanisms:
                raise RuntimeError(f"no supported SASL mechanism in {mechanisms!r}")
            _scram_sha_256(conn, password)
        else:
            raise RuntimeError(f"unsupported authentication method {code}")


def _scram_sha_256(conn: _Connection, password: str) -> None:
    """RFC 5802/7677: prove we know the password without sending it."""
    client_nonce = base64.b64encode(os.urandom(18)).decode()
    client_first_bare = f"n=,r={client_nonce}"  # postgres takes the user from the startup message
    first = ("n,," + client_first_bare).encode()
    conn.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)

    kind, body = conn.receive()  # AuthenticationSASLContinue (11)
    server_first = body[4:].decode()
    attrs = dict(item.split("=", 1) for item in server_first.split(","))
    if not attrs["r"].startswith(client_nonce):
        raise RuntimeError("server nonce does not extend ours")
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    client_final_bare = f"c=biws,r={attrs['r']}"  # biws = base64("n,,")
    auth_message = f"{client_first_bare},{server_first},{client_final_bare}".encode()
    signature = hmac.digest(hashlib.sha256(client_key).digest(), auth_message, "sha256")
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
    conn.send(b"p", f"{client_final_bare},p={proof}".encode())

    kind, body = conn.receive()  # AuthenticationSASLFinal (12): the server proves itself too
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    expected = base64.b64encode(hmac.digest(server_key, auth_message, "sha256")).decode()
    if body[4:].decode() != f"v={expected}":
        raise RuntimeError("the server's SCRAM signature does not match")
