"""Just enough BSON (MongoDB's binary JSON) to send a command and read the reply."""
import struct


def encode(doc: dict) -> bytes:
    body = b""
    for key, value in doc.items():
        name = key.encode() + b"\0"
        if isinstance(value, bool):
            body += b"\x08" + name + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            body += b"\x10" + name + struct.pack("<i", value)
        elif isinstance(value, str):
            data = value.encode() + b"\0"
            body += b"\x02" + name + struct.pack("<i", len(data)) + data
        else:
            raise TypeError(f"cannot encode {type(value).__name__} ({key})")
    return struct.pack("<i", len(body) + 5) + body + b"\0"


# type byte -> (struct format) for the fixed-size values a server reply contains
_FIXED = {0x01: "<d", 0x09: "<q", 0x10: "<i", 0x11: "<Q", 0x12: "<q"}


def decode(data: bytes) -> dict:
    doc, pos = {}, 4
    while data[pos] != 0:
        kind = data[pos]
        end = data.index(b"\0", pos + 1)
        key, pos = data[pos + 1:end].decode(), end + 1
        if kind in _FIXED:
            (doc[key],) = struct.unpack_from(_FIXED[kind], data, pos)
            pos += struct.calcsize(_FIXED[kind])
        elif kind == 0x02:  # string: length, UTF-8, \0
            (size,) = struct.unpack_from("<i", data, pos)
            doc[key] = data[pos + 4:pos + 3 + size].decode()
            pos += 4 + size
        elif kind in (0x03, 0x04):  # embedded document / array (a document with keys "0", "1", ...)
            (size,) = struct.unpack_from("<i", data, pos)
            inner = decode(data[pos:pos + size])
            doc[key] = list(inner.values()) if kind == 0x04 else inner
            pos += size
        elif kind == 0x05:  # binary: length, subtype, bytes
            (size,) = struct.unpack_from("<i", data, pos)
            doc[key] = data[pos + 5:pos + 5 + size]
            pos += 5 + size
        elif kind == 0x07:  # ObjectId: 12 bytes
            doc[key] = data[pos:pos + 12].hex()
            pos += 12
        elif kind == 0x08:
            doc[key] = data[pos] == 1
            pos += 1
        elif kind == 0x0A:
            doc[key] = None
        else:
            raise ValueError(f"BSON type 0x{kind:02x} ({key}) not supported here")
    return doc
