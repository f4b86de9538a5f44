"""Is mongo there? Send the `hello` command in an OP_MSG and check that ok == 1."""
import socket
import struct

from . import bson

OP_MSG = 2013


def probe(host: str, port: int, timeout: float = 3) -> str:
    command = bson.encode({"hello": 1, "$db": "admin"})
    # flag bits (none), then one "kind 0" section holding the command document
    body = struct.pack("<I", 0) + b"\x00" + command
    # header: total length, our request id, the id we answer (none), opcode
    header = struct.pack("<iiii", 16 + len(body), 1, 0, OP_MSG)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(header + body)
        length, _, _, opcode = struct.unpack("<iiii", _read_exactly(sock, 16))
        reply = _read_exactly(sock, length - 16)
    if opcode != OP_MSG or reply[4] != 0:
        raise RuntimeError(f"unexpected reply (opcode {opcode})")
    doc = bson.decode(reply[5:])
    if doc.get("ok") != 1:
        raise RuntimeError(f"hello failed: {doc}")
    return f"hello -> ok: 1 (wire version {doc.get('maxWireVersion')})"


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("mongo closed the connection")
        data += chunk
    return data
