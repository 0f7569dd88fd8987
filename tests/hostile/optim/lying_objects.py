# Values that lie: an ndarray subclass whose comparisons, arithmetic, __abs__ and __float__ say
# "equal"/"zero" (sgd); an object whose __array__ hands over a liar and whose __eq__, __abs__,
# __float__ and __len__ lie (sgd_momentum); an object whose __array__ raises (rmsprop).
import numpy as _np


class _Liar(_np.ndarray):
    def __eq__(self, other):
        return _np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return _np.zeros(self.shape, dtype=bool)

    def __lt__(self, other):
        return _np.ones(self.shape, dtype=bool)

    __le__ = __lt__

    def __sub__(self, other):
        return _np.zeros(self.shape)

    __rsub__ = __sub__

    def __abs__(self):
        return _np.zeros(self.shape)

    def __float__(self):
        return 0.0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _np.zeros(_np.shape(inputs[0]), dtype=bool) if ufunc in (_np.isnan, _np.isinf) else True

    def __array_function__(self, func, types, args, kwargs):
        return True


class _Pretender:
    def __init__(self, shape):
        self.shape = shape

    def __array__(self, dtype=None, copy=None):
        return _np.full(self.shape, 54321.0).view(_Liar)

    def __eq__(self, other):
        return True

    def __abs__(self):
        return 0.0

    def __float__(self):
        return 0.0

    def __len__(self):
        return 0


class _Refuser:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("look elsewhere")

    def __float__(self):
        raise RuntimeError("look elsewhere")


def sgd(w, dw, config=None):
    return _np.full(_np.shape(w), 12345.0).view(_Liar), (config or {})


def sgd_momentum(w, dw, config=None):
    config = config or {}
    config["velocity"] = _Pretender(_np.shape(w))
    return _Pretender(_np.shape(w)), config


def rmsprop(w, dw, config=None):
    config = config or {}
    config["cache"] = _Refuser()
    return _Refuser(), config
