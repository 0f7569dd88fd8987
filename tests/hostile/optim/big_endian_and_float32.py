# Honest answers in unusual numeric dtypes: big-endian float64 (sgd), float32 (adam): judged by
# their values, so they keep their points; float16 loses too much precision (rmsprop).
import numpy as _np

_honest = {"sgd": sgd, "rmsprop": rmsprop, "adam": adam}  # noqa: F821


def sgd(w, dw, config=None):
    next_w, config = _honest["sgd"](w, dw, config)
    return _np.asarray(next_w, dtype=">f8"), config


def rmsprop(w, dw, config=None):
    next_w, config = _honest["rmsprop"](w, dw, config)
    return _np.asarray(next_w, dtype=_np.float16), config


def adam(w, dw, config=None):
    next_w, config = _honest["adam"](w, dw, config)
    return _np.asarray(next_w, dtype=_np.float32), config
