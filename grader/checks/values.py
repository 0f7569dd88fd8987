"""Numeric values as the grader holds them: base float64 (or complex128) arrays plus the kind
of the dtype they arrived in. Also their JSON form, for frozen expected outputs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

NUMERIC_KINDS = "biufc"


class NotNumeric(TypeError):
    """A value that is not a plain numeric array."""


@dataclass(frozen=True)
class Value:
    array: np.ndarray
    kind: str = "f"

    @classmethod
    def of(cls, raw: Any) -> "Value":
        """A trusted value (from the reference or the wire) as float64/complex128."""
        arr = np.asarray(raw)
        if arr.dtype.kind not in NUMERIC_KINDS:
            raise NotNumeric(f"dtype {arr.dtype} is not numeric")
        target = np.complex128 if arr.dtype.kind == "c" else np.float64
        return cls(np.array(arr, dtype=target, copy=True, subok=False), arr.dtype.kind)


Outputs = dict[str, Value]


def _encode_number(x: float) -> float | str:
    return x if np.isfinite(x) else ("nan" if np.isnan(x) else ("inf" if x > 0 else "-inf"))


def _decode_number(x: float | str) -> float:
    return float(x)


def encode(value: Value) -> dict[str, Any]:
    """JSON-safe form (exact: floats round-trip through repr)."""
    flat = value.array.reshape(-1)
    if value.kind == "c":
        data = [[_encode_number(float(z.real)), _encode_number(float(z.imag))] for z in flat]
    else:
        data = [_encode_number(float(x)) for x in flat]
    return {"kind": value.kind, "shape": list(value.array.shape), "data": data}


def decode(data: dict[str, Any]) -> Value:
    shape = tuple(int(n) for n in data["shape"])
    if data["kind"] == "c":
        arr = np.array([complex(_decode_number(r), _decode_number(i)) for r, i in data["data"]], dtype=np.complex128)
    else:
        arr = np.array([_decode_number(x) for x in data["data"]], dtype=np.float64)
    return Value(arr.reshape(shape), data["kind"])


def encode_outputs(outputs: Outputs) -> dict[str, Any]:
    return {name: encode(v) for name, v in outputs.items()}


def decode_outputs(data: dict[str, Any]) -> Outputs:
    return {name: decode(v) for name, v in data.items()}


Signature = tuple[tuple[str, str, str, tuple[int, ...], bytes], ...]


def output_signature(outputs: Outputs) -> Signature:
    """Each value by name with its kind, dtype, shape and C-order bytes: equal exactly when the
    values are bit for bit the same, with the same names, kinds, dtypes and shapes (a number and an
    array of one number differ here; :func:`signature_digest` hashes both alike)."""
    parts = []
    for name in sorted(outputs):
        value = outputs[name]
        arr = value.array
        parts.append((name, value.kind, arr.dtype.str, arr.shape, arr.tobytes()))
    return tuple(parts)


def signature_digest(signature: Signature) -> str:
    """:func:`output_digest` of the outputs whose :func:`output_signature` is ``signature``. Each
    shape is hashed as ``np.ascontiguousarray`` gives it, as it always was: one number as an array of one."""
    return hashlib.blake2b(b"".join(part for name, kind, dtype, shape, data in signature
                                    for part in (f"{name}\0{kind}\0{dtype}\0{shape or (1,)}\0".encode(), data)),
                           digest_size=8).hexdigest()


def output_digest(outputs: Outputs) -> str:
    """A short fingerprint of every value a check received: equal exactly when the values are
    bit-identical (names, kinds, shapes and float64 bits). 16 hex digits: enough to tell a class's
    wrong answers apart, small enough to keep one per public check and submission."""
    return signature_digest(output_signature(outputs))
