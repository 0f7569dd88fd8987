# The decay schedules answer in the wrong kind or with non-finite values: NaN (inverse_time_decay),
# complex (exponential_decay), text (inverse_sqrt_decay); standardize returns a wrongly shaped
# mean. Nothing else changes.
import numpy as _np

_honest_standardize = standardize  # noqa: F821


def inverse_time_decay(alpha0, epoch, decay_rate=1.0):
    return float("nan")


def exponential_decay(alpha0, epoch, base=0.95):
    return complex(base**epoch * alpha0, 1.0)


def inverse_sqrt_decay(alpha0, epoch, k=1.0):
    return str(k / _np.sqrt(epoch) * alpha0)


def standardize(features, mean=None, std=None):
    scaled, mean, std = _honest_standardize(features, mean, std)
    return scaled, _np.atleast_2d(mean), std
