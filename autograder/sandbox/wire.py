"""The data-only wire between the trusted parent and the sandboxed child: framing and a value codec.

Owns what may cross the process boundary (plain data, numpy arrays as an allow-listed dtype, a shape
and raw bytes, torch tensors as arrays, sympy expressions as trees) and how it is validated on
arrival. Never pickle, never eval.
This module is imported by the child too, so it needs only the standard library and numpy; torch and
sympy are imported only when a value of theirs crosses.
"""

from __future__ import annotations

import json
import math
import select
import socket
import struct
import time

import numpy as np

from autograder.sandbox.errors import EncodeError, WireError
from autograder.sandbox.oracle import Oracle

MAX_FRAME_BYTES = 1 << 30  # one array frame is at most 1 GiB
MAX_HEADER_BYTES = 16 << 20  # a JSON header: parsing costs many times its size, so it stays small
MAX_MESSAGE_BYTES = 1 << 30  # default cap on a whole message (header and arrays), checked as it arrives
MAX_BLOBS = 10_000
_SMALL = 1 << 20  # a message up to this size goes out in one write; a packed oracle frame's cap
MAX_DEPTH = 400  # nested containers: a bracketing of 150 matrices nests 150 deep
ARRAY_KINDS = frozenset("biufc")  # bool, int, uint, float, complex: nothing that can hold objects

_LENGTH = struct.Struct("!Q")


# ---------------------------------------------------------------- framing


def send_message(sock: socket.socket, header: dict, blobs: list = ()) -> None:
    """Send one message: a JSON header frame followed by ``len(blobs)`` binary frames (each blob
    ``bytes`` or a 1-D uint8 array, sent from where it lies, without a copy)."""
    header = dict(header, blobs=len(blobs))
    payload = json.dumps(header, allow_nan=False).encode()
    parts = [_LENGTH.pack(len(payload)), payload]
    for blob in blobs:
        parts += [_LENGTH.pack(len(blob)), blob]
    if sum(map(len, parts)) <= _SMALL:  # small messages (most calls, every oracle call): one write
        sock.sendall(b"".join(parts))
    else:
        for part in parts:
            sock.sendall(part)


def recv_message(sock: socket.socket, deadline: float | None = None, *,
                 max_bytes: int = MAX_MESSAGE_BYTES) -> tuple[dict, list[np.ndarray]]:
    """Receive one message; raise ``EOFError`` at end of stream, ``WireError`` on a malformed one or
    one larger than ``max_bytes`` (header and arrays together, refused before it is read or parsed),
    ``TimeoutError`` when ``deadline`` (a ``time.monotonic()`` value) passes first. Blobs arrive as
    1-D uint8 arrays, each decoded array a view of its own blob (``decode`` uses a blob once); a
    compact oracle message comes with its decoded ``Values`` in their place."""
    (length,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size, deadline))
    if length & COMPACT:  # an oracle call or answer in one packed frame
        length ^= COMPACT
        if length > min(max_bytes, _SMALL):
            raise WireError(f"a compact message of {length} bytes exceeds the limit of "
                            f"{min(max_bytes, _SMALL)} bytes")
        return _unpack_oracle(_recv_exactly(sock, length, deadline))
    budget = [max_bytes]
    raw = _recv_frame(sock, deadline, min(MAX_HEADER_BYTES, max_bytes), budget, length)
    try:
        header = json.loads(raw.tobytes())
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"header is not JSON: {type(exc).__name__}") from None
    if not isinstance(header, dict):
        raise WireError("header is not an object")
    count = header.get("blobs", 0)
    if type(count) is not int or not 0 <= count <= MAX_BLOBS:
        raise WireError("bad blob count")
    return header, [_recv_frame(sock, deadline, MAX_FRAME_BYTES, budget) for _ in range(count)]


def _recv_frame(sock: socket.socket, deadline: float | None, limit: int,
                budget: list[int], length: int | None = None) -> np.ndarray:
    if length is None:
        (length,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size, deadline))
    if length > limit or length > budget[0]:
        raise WireError(f"a message part of {length} bytes exceeds the limit of "
                        f"{min(limit, budget[0])} bytes")
    budget[0] -= length
    return _recv_exactly(sock, length, deadline)


def _recv_exactly(sock: socket.socket, n: int, deadline: float | None) -> np.ndarray:
    """``n`` bytes read straight into one buffer, a 1-D uint8 array that owns its memory. The
    buffer is address space only until bytes arrive (``np.empty``: the kernel commits a page when
    it is first written), so a length the sender claims and never sends costs no memory."""
    buf = np.empty(n, dtype=np.uint8)
    view, got = memoryview(buf), 0
    flags = 0 if deadline is None else socket.MSG_DONTWAIT
    while got < n:
        try:
            received = sock.recv_into(view[got:], 0, flags)
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not wait_readable(sock, remaining):
                raise TimeoutError("no answer before the deadline") from None
            continue
        if not received:
            raise EOFError("the other side closed the channel")
        got += received
    return buf


def wait_readable(source, timeout: float | None) -> bool:
    """Whether ``source`` (a socket or a file descriptor) has bytes to read, or has closed, within
    ``timeout`` seconds (None: as long as it takes). ``poll`` rather than ``select``, which refuses
    descriptors numbered 1024 and up (a long-lived grading process may hold that many)."""
    waiting = select.poll()
    waiting.register(source, select.POLLIN)
    return bool(waiting.poll(None if timeout is None else max(0, math.ceil(timeout * 1000))))


# ---------------------------------------------------------------- compact oracle messages
# An oracle call and its answer are the hottest traffic there is (ps2: ~98,000 per submission). When
# every argument is an int, a float (numpy scalars included) or a float64 array and there are no
# keyword arguments, or the answer is one of those, the message crosses as one packed frame (its
# length's top bit set) instead of a JSON header and array frames: 7 µs to pack, send, receive and
# unpack where the general path takes about 27. Anything else takes the general path.
# ``recv_message`` returns such a message with its values, already checked, as ``Values``.

COMPACT = 1 << 63
_CALL, _ANSWER = 1, 2
_HEAD = struct.Struct("<BQIB")  # kind, the running call's id, the oracle's handle, the name's length
_INT, _FLOAT, _ARRAY = 0, 1, 2
_INT64, _FLOAT64 = struct.Struct("<q"), struct.Struct("<d")
_F8 = np.dtype("<f8")


class Values(list):
    """The decoded values of a compact message (a list type no JSON message can produce)."""


def pack_oracle_call(call, handle: int, member: str, args: tuple, kwargs: dict) -> bytes | None:
    """The compact frame of an oracle call, or None when it needs the general path."""
    if kwargs or type(call) is not int or not 0 <= call < 2**64 or len(member) > 255:
        return None
    values = _pack_values(args)
    if values is None:
        return None
    return _frame([_HEAD.pack(_CALL, call, handle, len(member)), member.encode("ascii"), *values])


def pack_oracle_answer(value) -> bytes | None:
    """The compact frame of an oracle's answer, or None when it needs the general path."""
    values = _pack_values((value,))
    return None if values is None else _frame([_HEAD.pack(_ANSWER, 0, 0, 0), *values])


def _frame(parts: list) -> bytes | None:
    body = b"".join(parts)
    return _LENGTH.pack(len(body) | COMPACT) + body if len(body) <= _SMALL else None


def _pack_values(values) -> list | None:
    if len(values) > 255:
        return None
    parts = [bytes((len(values),))]
    for value in values:
        if isinstance(value, np.generic):  # a numpy scalar: a Python number, as ``encode`` does
            value = value.item()
        t = type(value)
        if t is int and -2**63 <= value < 2**63:
            parts += [bytes((_INT,)), _INT64.pack(value)]
        elif t is float:
            parts += [bytes((_FLOAT,)), _FLOAT64.pack(value)]
        elif t is np.ndarray and value.dtype == _F8 and value.nbytes <= _SMALL:
            parts += [bytes((_ARRAY, value.ndim)), struct.pack(f"<{value.ndim}Q", *value.shape),
                      _raw_bytes(value)]
        else:
            return None
    return parts


def _unpack_oracle(body: np.ndarray) -> tuple[dict, Values]:
    """Header and values of a compact frame; every length is checked against the bytes there are."""
    data = body.tobytes()
    if len(data) < _HEAD.size:
        raise WireError("a compact message is too short")
    kind, call, handle, name_length = _HEAD.unpack_from(data)
    at = _HEAD.size + name_length
    try:
        member = data[_HEAD.size:at].decode("ascii")
    except UnicodeDecodeError:
        raise WireError("a compact message names a member that is not ASCII") from None
    values, at = _unpack_values(data, at)
    if kind == _CALL:
        return {"op": "oracle", "call": call, "handle": handle, "member": member}, values
    if kind == _ANSWER and len(values) == 1:
        return {"op": "oracle_reply", "ok": True}, values
    raise WireError("a compact message of an unknown kind")


def _unpack_values(data: bytes, at: int) -> tuple[Values, int]:
    def take(n: int) -> int:
        nonlocal at
        if n < 0 or at + n > len(data):
            raise WireError("a compact message ends before its values do")
        at += n
        return at - n

    values = Values()
    for _ in range(data[take(1)]):
        tag = data[take(1)]
        if tag == _INT:
            values.append(_INT64.unpack_from(data, take(8))[0])
        elif tag == _FLOAT:
            values.append(_FLOAT64.unpack_from(data, take(8))[0])
        elif tag == _ARRAY:
            ndim = data[take(1)]
            if ndim > _MAX_NDIM:
                raise WireError("bad array shape")
            shape = struct.unpack_from(f"<{ndim}Q", data, take(8 * ndim))
            size = math.prod(shape) * 8
            values.append(np.frombuffer(data, dtype=_F8, count=size // 8,
                                        offset=take(size)).reshape(shape).copy())
        else:
            raise WireError("a compact message holds a value of an unknown kind")
    if at != len(data):
        raise WireError("a compact message has bytes after its values")
    return values, at


# ---------------------------------------------------------------- values


def encode(value, blobs: list[bytes], depth: int = 0, *, oracles: list | None = None):
    """Turn ``value`` into JSON-able data, appending array bytes to ``blobs``.

    Only exact built-in types are accepted (no subclasses: a ``bool`` subclass with a lying
    ``__eq__`` is refused, not converted). numpy scalars become Python numbers. The parent may pass
    ``oracles``: each ``Oracle`` met is appended to it and sent as a handle the child turns into a
    proxy (the child passes none, so its replies can never contain one).
    """
    if depth > MAX_DEPTH:
        raise EncodeError("value is nested too deeply")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2**53 else {"$": "int", "v": str(value)}
    if t is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if t is complex:
        return {"$": "complex", "re": encode(value.real, blobs), "im": encode(value.imag, blobs)}
    if t is list:
        return [encode(v, blobs, depth + 1, oracles=oracles) for v in value]
    if t is tuple:
        return {"$": "tuple", "v": [encode(v, blobs, depth + 1, oracles=oracles) for v in value]}
    if t is dict:
        if not all(type(k) is str for k in value):
            raise EncodeError("dictionary keys must be strings")
        return {"$": "dict", "v": {k: encode(v, blobs, depth + 1, oracles=oracles)
                                   for k, v in value.items()}}
    if t is np.ndarray:
        return {"$": "ndarray", **_add_array(value, blobs)}
    if isinstance(value, np.generic) and t.__module__ == "numpy":
        if value.dtype.kind not in ARRAY_KINDS:
            raise EncodeError(f"numpy scalar of dtype {value.dtype} is not a number")
        return encode(value.item(), blobs, depth)
    if t.__module__ == "torch" and t.__name__ in ("Tensor", "Parameter"):
        return _encode_tensor(value, blobs)
    if t.__module__.startswith("sympy.") or t.__module__ == "sympy":
        from autograder.sandbox import sympy_tree  # imports sympy: only where sympy values travel

        return {"$": "sympy", "tree": sympy_tree.to_tree(value)}
    if oracles is not None and t is Oracle:
        oracles.append(value)
        return {"$": "oracle", "handle": len(oracles) - 1, "name": value.name,
                "methods": list(value.methods), "properties": list(value.properties),
                "attributes": {a: encode(getattr(value.target, a), blobs, depth + 1)
                               for a in value.attributes}}
    raise EncodeError(f"values of type {t.__module__}.{t.__qualname__} cannot be sent")


def decode(data, blobs: list[bytes], depth: int = 0, *, proxy=None):
    """Inverse of ``encode``; validates everything (dtypes, sizes, shapes) before building values.
    ``proxy`` (the child's) builds the stand-in for an oracle handle; without it one is refused."""
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [decode(v, blobs, depth + 1, proxy=proxy) for v in data]
    if t is not dict:
        raise WireError(f"unexpected JSON value of type {t.__name__}")
    tag = data.get("$")
    if tag == "int":
        return int(_expect(data, "v", str))
    if tag == "float":
        text = _expect(data, "v", str)
        if text not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(text)
    if tag == "complex":
        return complex(decode(data.get("re"), blobs), decode(data.get("im"), blobs))
    if tag == "tuple":
        return tuple(decode(v, blobs, depth + 1, proxy=proxy) for v in _expect(data, "v", list))
    if tag == "dict":
        return {k: decode(v, blobs, depth + 1, proxy=proxy) for k, v in _expect(data, "v", dict).items()}
    if tag == "ndarray":
        return _read_array(blobs, data)
    if tag == "tensor":
        return _decode_tensor(data, blobs)
    if tag == "sympy":
        from autograder.sandbox import sympy_tree  # imports sympy: only where sympy values travel

        return sympy_tree.from_tree(data.get("tree"))
    if tag == "oracle" and proxy is not None:
        attributes = {k: decode(v, blobs, depth + 1) for k, v in _expect(data, "attributes", dict).items()}
        return proxy(_expect(data, "handle", int), _expect(data, "name", str),
                     _expect(data, "methods", list), _expect(data, "properties", list), attributes)
    raise WireError(f"unknown tag {tag!r}")


def _expect(data: dict, key: str, kind: type):
    value = data.get(key)
    if type(value) is not kind:
        raise WireError(f"field {key!r} should be {kind.__name__}")
    return value


# The dtypes an array may have on the wire, by their exact ``dtype.str`` (byte order included).
_DTYPES = {np.dtype(code).newbyteorder(order).str: np.dtype(code).newbyteorder(order)
           for code in "?bBhHiIlLqQefdgFDG" for order in "<>"}
_MAX_NDIM = 64


def _add_array(array: np.ndarray, blobs: list[bytes]) -> dict:
    """An array as its dtype, shape and raw C-order bytes (a blob); nothing to parse on arrival."""
    if array.dtype.str not in _DTYPES:
        raise EncodeError(f"arrays of dtype {array.dtype} cannot be sent; use a numeric dtype")
    blobs.append(_raw_bytes(array))
    return {"dtype": array.dtype.str, "shape": list(array.shape), "blob": len(blobs) - 1}


def _raw_bytes(array: np.ndarray) -> np.ndarray:
    """The array's C-order bytes as a 1-D uint8 view: sent from where they lie, without a copy
    (one only when the array is not contiguous)."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8)


def _read_array(blobs: list, data: dict) -> np.ndarray:
    """An own, writeable, exact ndarray (0-d stays 0-d) from a blob whose size matches its shape:
    a view of the received blob, which is then taken out of ``blobs`` (a second array naming it
    would share its memory: a malformed message)."""
    index, shape = data.get("blob"), data.get("shape")
    dtype = _DTYPES.get(data.get("dtype")) if type(data.get("dtype")) is str else None
    if dtype is None:
        raise WireError("array dtype is not numeric")
    if type(index) is not int or not 0 <= index < len(blobs) or blobs[index] is None:
        raise WireError("bad array reference")
    if (type(shape) is not list or len(shape) > _MAX_NDIM
            or not all(type(s) is int and 0 <= s <= MAX_FRAME_BYTES for s in shape)):
        raise WireError("bad array shape")
    if len(blobs[index]) != math.prod(shape) * dtype.itemsize:
        raise WireError("array size does not match its shape")
    blob, blobs[index] = blobs[index], None
    if type(blob) is np.ndarray and blob.flags.owndata and blob.dtype == np.uint8:
        return blob.view(dtype).reshape(shape)  # received: this array's own memory
    return np.frombuffer(blob, dtype=dtype).reshape(shape).copy()  # a view of the sender's data


def _encode_tensor(tensor, blobs: list[bytes]) -> dict:
    import torch

    t = tensor.detach()
    dtype = str(t.dtype).removeprefix("torch.")
    if t.dtype == torch.bfloat16:
        t = t.float()
    array = t.cpu().resolve_conj().resolve_neg().numpy()
    return {
        "$": "tensor",
        "array": _add_array(array, blobs),
        "dtype": dtype,
        "device": str(tensor.device),
        "requires_grad": bool(tensor.requires_grad),
    }


def _decode_tensor(data: dict, blobs: list[bytes]):
    import torch

    array = _read_array(blobs, _expect(data, "array", dict))
    dtype = getattr(torch, _expect(data, "dtype", str), None)
    if not isinstance(dtype, torch.dtype):
        raise WireError("bad tensor dtype")
    device = _expect(data, "device", str)
    try:
        tensor = torch.from_numpy(array).to(dtype=dtype, device=device)
    except (RuntimeError, TypeError) as exc:
        raise WireError(f"cannot build tensor: {exc}") from None
    if data.get("requires_grad") is True and tensor.is_floating_point():
        tensor.requires_grad_(True)
    return tensor
