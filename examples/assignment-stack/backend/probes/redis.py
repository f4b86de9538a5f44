"""Is redis there? Send PING in RESP (redis's wire protocol) and expect +PONG."""
import socket


def probe(host: str, port: int, timeout: float = 3) -> str:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")  # an array of one bulk string: PING
        reply = sock.recv(64)
    if reply != b"+PONG\r\n":
        raise RuntimeError(f"unexpected reply to PING: {reply!r}")
    return "PING -> +PONG"
