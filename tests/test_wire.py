"""The wire carries plain data only, and refuses everything else on both sides."""

import socket

import numpy as np
import pytest
import sympy
import torch

from autograder.sandbox import sympy_tree
from autograder.sandbox.wire import (
    COMPACT,
    EncodeError,
    Values,
    WireError,
    decode,
    encode,
    pack_oracle_answer,
    pack_oracle_call,
    recv_message,
    send_message,
)


def roundtrip(value):
    blobs: list[bytes] = []
    return decode(encode(value, blobs), blobs)


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2**80, 1.5, float("inf"), "text", [1, [2, 3]], (1, (2, 3)), {"a": (1, 2)},
    complex(1, -2),
])
def test_plain_values_roundtrip_with_their_exact_types(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


def test_nan_roundtrips():
    assert np.isnan(roundtrip(float("nan")))


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint16", "float32", "float64",
                                   "complex128"])
def test_arrays_roundtrip_with_dtype_and_shape(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    back = roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and np.array_equal(back, array)


def test_numpy_scalars_become_python_numbers():
    assert type(roundtrip(np.int64(3))) is int
    assert type(roundtrip(np.float32(0.5))) is float


def test_tensors_roundtrip_with_dtype():
    for dtype in (torch.float32, torch.float64, torch.bfloat16, torch.int64):
        tensor = torch.arange(6, dtype=dtype).reshape(2, 3)
        back = roundtrip(tensor)
        assert type(back) is torch.Tensor and back.dtype == dtype and torch.equal(back, tensor)


class LyingInt(int):
    def __eq__(self, other):
        return True


class LyingArray(np.ndarray):
    pass


@pytest.mark.parametrize("value", [
    LyingInt(3), np.arange(3).view(LyingArray), object(), np.array([object()]),
    {1: "non-string key"}, lambda: 0,
])
def test_refuses_what_is_not_exact_plain_data(value):
    with pytest.raises(EncodeError):
        encode(value, [])


@pytest.mark.parametrize("dtype", ["|O", "<U3", "|V8", "|S4", "(2,)<f8", "<M8[s]", "O", 7])
def test_refuses_arrays_of_any_dtype_but_plain_numbers_on_arrival(dtype):
    with pytest.raises(WireError, match="not numeric"):
        decode({"$": "ndarray", "dtype": dtype, "shape": [1], "blob": 0}, [b"\0" * 8])


@pytest.mark.parametrize("shape", [[-1], [2**40, 2**40], "8", [1.0], [1] * 65])
def test_refuses_arrays_with_a_malformed_shape(shape):
    with pytest.raises(WireError):
        decode({"$": "ndarray", "dtype": "<f8", "shape": shape, "blob": 0}, [b"\0" * 8])


def test_refuses_an_array_whose_size_lies():
    blobs: list[bytes] = []
    data = encode(np.arange(10.0), blobs)
    with pytest.raises(WireError):
        decode(data, [blobs[0][:-8]])


def test_refuses_unknown_tags():
    with pytest.raises(WireError):
        decode({"$": "pickle", "v": "gASV"}, [])


def test_messages_cross_a_socket_with_their_arrays():
    a, b = socket.socketpair()
    blobs: list[bytes] = []
    send_message(a, {"value": encode(np.eye(3), blobs)}, blobs)
    header, got = recv_message(b)
    assert np.array_equal(decode(header["value"], got), np.eye(3))


def test_arrays_arrive_as_their_own_writeable_memory_and_never_share_it():
    """A received array is a view of its own received blob (no copy); a message whose two arrays
    name one blob is refused (they would share memory); decoding what was encoded in the same
    process (the nbgrader kernel's crossing) copies, so the receiver never aliases the sender."""
    a, b = socket.socketpair()
    sent = [np.arange(12.0).reshape(3, 4), np.array(True), np.zeros((0, 5), dtype=np.int8)]
    blobs: list = []
    send_message(a, {"value": encode(sent, blobs)}, blobs)
    header, got = recv_message(b)
    back = decode(header["value"], got)
    for x, y in zip(sent, back, strict=True):
        assert y.dtype == x.dtype and y.shape == x.shape and np.array_equal(x, y) and y.flags.writeable
    back[0][0, 0] = 99.0
    assert sent[0][0, 0] == 0.0
    twice = [{"$": "ndarray", "dtype": "<f8", "shape": [2], "blob": 0}] * 2
    send_message(a, {"value": twice}, [np.zeros(2).view(np.uint8)])
    header, got = recv_message(b)
    with pytest.raises(WireError, match="bad array reference"):
        decode(header["value"], got)
    local = np.ones(4)
    copied = roundtrip(local)
    copied[0] = 5.0
    assert local[0] == 1.0


def test_receiving_stops_at_the_deadline_and_leaves_the_socket_blocking():
    import time

    a, b = socket.socketpair()
    with pytest.raises(TimeoutError):
        recv_message(b, deadline=time.monotonic() + 0.05)
    assert b.gettimeout() is None  # deadlines are waited for with poll: a timeout set on the socket
    # would also bound its next sendall, which could then fail half-way through a large message


def test_messages_that_wait_in_the_socket_together_are_received_one_at_a_time():
    """Consecutive messages, small and larger than the socket's buffer, each arrive whole."""
    import threading
    import time

    a, b = socket.socketpair()
    big = np.arange(100_000.0)  # more than the socket's buffer holds

    def send(*values):
        for value in values:
            blobs: list = []
            send_message(a, {"value": encode(value, blobs)}, blobs)

    send([1, 2], np.eye(2))  # both wait in the socket
    sender = threading.Thread(target=send, args=(big, "last"))
    sender.start()
    received = []
    for _ in range(4):
        header, blobs = recv_message(b, deadline=time.monotonic() + 5)
        received.append(decode(header["value"], blobs))
    assert received[0] == [1, 2] and np.array_equal(received[1], np.eye(2))
    assert np.array_equal(received[2], big) and received[3] == "last"
    sender.join()
    a.close()
    with pytest.raises(EOFError):
        recv_message(b)


def test_sympy_expressions_roundtrip_through_trees():
    n, k = sympy.Symbol("n"), sympy.Symbol("k", positive=True, integer=True)
    for expr in (n, 1 / sympy.Integer(3) ** k, sympy.Rational(1, 3), sympy.Float("0.707"),
                 sympy.trace(sympy.Identity(n)), sympy.factorial(k) ** -1, sympy.oo):
        back = roundtrip(expr)
        assert back == expr


def test_sympy_trees_may_name_only_allowed_classes():
    with pytest.raises(WireError):
        sympy_tree.from_tree(["Function", ["Symbol", "os", []]])
    with pytest.raises(WireError):
        sympy_tree.from_tree(["Symbol", "x", ["__import__"]])


def test_deeply_nested_orders_cross_but_unbounded_nesting_does_not():
    order = 0
    for i in range(1, 300):
        order = (order, i)
    assert roundtrip(order) == order
    for _ in range(200):
        order = (order, 0)
    with pytest.raises(EncodeError, match="too deeply"):
        encode(order, [])


def test_zero_dimensional_arrays_and_tensors_keep_their_shape():
    assert roundtrip(np.array(2.5)).shape == ()
    assert roundtrip(torch.tensor(2.5)).shape == ()


def test_an_oversized_message_is_refused_before_it_is_read():
    """A forged reply that claims hundreds of MiB is refused from its length alone: nothing is
    allocated for it, nothing is parsed."""
    import resource
    import struct

    a, b = socket.socketpair()
    with a, b:
        a.sendall(struct.pack("!Q", 900 << 20) + b"{")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with pytest.raises(WireError, match="exceeds the limit"):
            recv_message(b, deadline=None)
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_a_message_is_capped_as_a_whole_header_and_arrays_together():
    a, b = socket.socketpair()
    with a, b:
        blobs: list[bytes] = []
        header = {"value": encode([np.zeros(1000), np.zeros(1000)], blobs)}
        send_message(a, header, blobs)
        with pytest.raises(WireError, match="exceeds the limit"):
            recv_message(b, deadline=None, max_bytes=12_000)


def test_oracle_handles_are_refused_where_no_proxy_is_expected():
    with pytest.raises(WireError, match="unknown tag"):
        decode({"$": "oracle", "handle": 0, "name": "X", "methods": [], "properties": [],
                "attributes": {"$": "dict", "v": {}}}, [])


def test_waiting_for_a_reply_works_on_descriptors_numbered_past_1024():
    """select() refuses descriptors from 1024 up, which a long-lived grading process may hold."""
    import os
    import resource

    from autograder.sandbox.wire import wait_readable

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= 1500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    a, b = socket.socketpair()
    high = os.dup2(b.fileno(), 1500)
    try:
        assert not wait_readable(high, 0.01)
        a.sendall(b"x")
        assert wait_readable(high, 5) and wait_readable(b, 5)
        a.close()
        assert wait_readable(high, 5)  # closed: readable (end of stream), as select said
    finally:
        os.close(high)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_an_oracle_call_of_plain_numbers_and_float64_arrays_crosses_as_one_packed_frame():
    a, b = socket.socketpair()
    args = (np.arange(6.0).reshape(2, 3), 7, -2.5, np.array(4.0), np.zeros((0, 3)), np.int64(5),
            np.float32(0.5))
    a.sendall(pack_oracle_call(12, 3, "grad_i", args, {}))
    header, values = recv_message(b)
    assert header == {"op": "oracle", "call": 12, "handle": 3, "member": "grad_i"}
    assert type(values) is Values and len(values) == len(args)
    general: list = []
    general = decode(encode(list(args), general), general)  # what the general path gives
    for sent, got, expected in zip(args, values, general, strict=True):
        assert type(got) is type(expected) and np.array_equal(got, sent)
        if type(sent) is np.ndarray:
            assert got.shape == sent.shape and got.flags.writeable and got.flags.owndata
    a.sendall(pack_oracle_answer(np.ones(3)))
    header, values = recv_message(b)
    assert header == {"op": "oracle_reply", "ok": True} and np.array_equal(values[0], np.ones(3))


@pytest.mark.parametrize("args, kwargs", [
    ((np.ones(3),), {"i": 1}),  # keywords
    ((True,), {}),  # a bool is not an int here
    ((np.ones(3, dtype=np.float32),), {}),
    ((np.bool_(True),), {}),
    (([1.0, 2.0],), {}),
    ((2**63,), {}),
    ((np.zeros(200_000),), {}),  # over 1 MiB: the general path sends it without a copy
])
def test_anything_else_takes_the_general_path(args, kwargs):
    assert pack_oracle_call(1, 0, "grad", args, kwargs) is None


def _compact(body: bytes) -> bytes:
    import struct

    return struct.pack("!Q", len(body) | COMPACT) + body


@pytest.mark.parametrize("body, error", [
    (b"\x01" + b"\0" * 5, "too short"),
    (bytes([1]) + (1).to_bytes(8, "little") + bytes(4) + bytes([2]) + "é".encode("latin-1") + b"x"
     + bytes([0]), "not ASCII"),
    (bytes([1]) + bytes(12) + bytes([0]) + bytes([1, 9]), "unknown kind"),
    (bytes([1]) + bytes(12) + bytes([0]) + bytes([1, 0]) + bytes(4), "ends before"),
    (bytes([1]) + bytes(12) + bytes([0]) + bytes([1, 2, 2]) + (2**40).to_bytes(8, "little") * 2,
     "ends before"),
    (bytes([1]) + bytes(12) + bytes([0]) + bytes([1, 2, 65]), "bad array shape"),
    (bytes([1]) + bytes(12) + bytes([0]) + bytes([1, 0]) + bytes(8) + b"!", "bytes after"),
    (bytes([7]) + bytes(12) + bytes([0]) + bytes([0]), "unknown kind"),
    (bytes([2]) + bytes(12) + bytes([0]) + bytes([2, 0]) + bytes(8) + bytes([0]) + bytes(8),
     "unknown kind"),  # an answer holds exactly one value
])
def test_a_malformed_packed_frame_is_refused(body, error):
    a, b = socket.socketpair()
    a.sendall(_compact(body))
    with pytest.raises(WireError, match=error):
        recv_message(b)


def test_a_packed_frame_over_its_limit_is_refused_before_it_is_read():
    a, b = socket.socketpair()
    a.sendall((COMPACT | (2 << 20)).to_bytes(8, "big"))  # claims 2 MiB and sends nothing more
    with pytest.raises(WireError, match="exceeds the limit"):
        recv_message(b)
