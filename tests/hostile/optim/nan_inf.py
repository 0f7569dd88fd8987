# Non-finite answers: NaN everywhere (sgd), +inf (sgd_momentum, its state too), NaN and -inf mixed
# into otherwise honest values and state (rmsprop).
import numpy as _np

_honest_rmsprop = rmsprop  # noqa: F821


def sgd(w, dw, config=None):
    return _np.full(_np.shape(w), _np.nan), (config or {})


def sgd_momentum(w, dw, config=None):
    config = config or {}
    config["velocity"] = _np.full(_np.shape(w), _np.inf)
    return _np.full(_np.shape(w), _np.inf), config


def rmsprop(w, dw, config=None):
    next_w, config = _honest_rmsprop(w, dw, config)
    next_w = _np.array(next_w, dtype=float)
    next_w.flat[0] = _np.nan
    next_w.flat[-1] = -_np.inf
    config["cache"] = _np.array(config["cache"], dtype=float)
    config["cache"].flat[0] = _np.nan
    return next_w, config
