"""Seeds and output digests derived in fewer steps are the ones derived one at a time: a student's
hidden inputs and a gradebook's stored digests do not change with how they are computed."""

import hashlib
import hmac
from dataclasses import replace

import numpy as np

from grader.checks.api import check
from grader.checks.scenario import hidden_seed, hidden_seeds
from grader.checks.values import Value, output_digest


def _checks(*names):
    @check(points=1, functions=["f"], hidden=True)
    def c(impl, rng):
        return {}
    return [replace(c.__grade__, name=name) for name in names]


def by_definition(secret: bytes, assignment: str, student: str, name: str) -> int:
    """A hidden seed as it was always derived: stored grades depend on it never changing."""
    mac = hmac.new(secret, f"{assignment}\0{student}\0{name}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:8], "little") >> 1


def test_a_student_s_hidden_seeds_in_one_pass_are_each_check_s_own():
    checks = _checks("hidden_sgd", "hidden_adam", "größe", "")
    for student in ["s1", "élève 2", ""]:
        seeds = hidden_seeds(b"course secret", "optim", student, checks)
        assert seeds == {c.name: hidden_seed(b"course secret", "optim", student, c) for c in checks}
        assert seeds == {c.name: by_definition(b"course secret", "optim", student, c.name) for c in checks}
    assert hidden_seeds(b"other", "optim", "s1", checks) != hidden_seeds(b"course secret", "optim", "s1", checks)


def test_an_output_digest_hashes_each_value_s_name_kind_dtype_shape_and_c_order_bytes():
    def by_definition(outputs):
        h = hashlib.blake2b(digest_size=8)
        for name in sorted(outputs):
            arr = np.ascontiguousarray(outputs[name].array)  # one number counts as an array of one
            h.update(f"{name}\0{outputs[name].kind}\0{arr.dtype.str}\0{arr.shape}\0".encode())
            h.update(arr.tobytes())
        return h.hexdigest()

    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(3, 4))
    outputs = {"w": Value(matrix.T, "f"), "loss": Value(np.array(2.5), "f"), "z": Value(matrix[:, 0] + 1j, "c"),
               "@after f:0=x": Value(np.zeros(0), "f"), "n": Value(np.array([3.0]), "i")}
    for size in range(len(outputs) + 1):
        subset = dict(list(outputs.items())[:size])
        assert output_digest(subset) == by_definition(subset)
    assert output_digest({"a": Value(np.array(1.0))}) == output_digest({"a": Value(np.array([1.0]))})
