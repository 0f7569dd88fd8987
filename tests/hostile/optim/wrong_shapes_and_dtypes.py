# Wrong containers: a transposed (or extra-dimensional) shape (sgd), booleans for the weights and
# the velocity (sgd_momentum), text that is not a number plus an object array as state (adam).
# rmsprop answers the right values as complex numbers with a zero imaginary part: the optim checks
# convert outputs to float, so that is the right answer and keeps its points.
import numpy as _np

_honest = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}  # noqa: F821


def sgd(w, dw, config=None):
    next_w, config = _honest["sgd"](w, dw, config)
    next_w = _np.asarray(next_w)
    return (next_w.T if next_w.ndim > 1 else next_w[None, :]), config


def sgd_momentum(w, dw, config=None):
    next_w, config = _honest["sgd_momentum"](w, dw, config)
    config["velocity"] = _np.asarray(config["velocity"]) > 0
    return _np.asarray(next_w) > 0, config


def rmsprop(w, dw, config=None):
    next_w, config = _honest["rmsprop"](w, dw, config)
    return _np.asarray(next_w) + 0j, config


def adam(w, dw, config=None):
    next_w, config = _honest["adam"](w, dw, config)
    config["m"] = _np.array([object()] * _np.size(w))
    return _np.full(_np.shape(w), "not a number"), config
