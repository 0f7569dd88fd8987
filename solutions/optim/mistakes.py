"""Known mistakes (and one accepted variant) of the optim assignment.

Each function has the signature of the student function it stands in for, keeps the scaffolding
(``setdefault`` of the defaults) and gets the update itself wrong in one specific way.
"""

import numpy as np

from grader.checks import mistake, variant


def _momentum_defaults(w, config):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    return config, config.get("velocity", np.zeros_like(w))


def _rmsprop_defaults(w, config):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    return config


def _adam_defaults(w, config):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    return config


def _adam_moments(dw, config):
    m = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    v = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    return m, v


# SGD ---------------------------------------------------------------------------------------------


@mistake("sgd", hint="Looks like SGD steps uphill: subtract learning_rate * dw from w, do not add it.")
def sgd_wrong_sign(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w + config["learning_rate"] * dw, config


# Momentum ----------------------------------------------------------------------------------------


@mistake("sgd_momentum", hint="Looks like momentum steps uphill: the velocity update subtracts the "
                               "gradient step (v = momentum * v - learning_rate * dw), then w + v.")
def momentum_wrong_sign(w, dw, config=None):
    config, v = _momentum_defaults(w, config)
    v = config["momentum"] * v + config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


@mistake("sgd_momentum", hint="Looks like the new velocity is computed but not stored: put it in "
                               "config['velocity'] so the next step starts from it.")
def momentum_velocity_not_stored(w, dw, config=None):
    config, v = _momentum_defaults(w, config)
    v = config["momentum"] * v - config["learning_rate"] * dw
    return w + v, config


@mistake("sgd_momentum", hint="Looks like the averaged form v = momentum * v + (1 - momentum) * dw, "
                               "w - learning_rate * v; this assignment uses v = momentum * v - "
                               "learning_rate * dw and next_w = w + v.")
def momentum_moving_average_form(w, dw, config=None):
    config, v = _momentum_defaults(w, config)
    v = config["momentum"] * v + (1 - config["momentum"]) * dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config


# RMSprop -----------------------------------------------------------------------------------------


@mistake("rmsprop", hint="Looks like RMSprop divides by the cache itself: divide the step by "
                          "np.sqrt(cache) + epsilon.")
def rmsprop_no_sqrt(w, dw, config=None):
    config = _rmsprop_defaults(w, config)
    cache = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config


@mistake("rmsprop", hint="Looks like the new cache is computed but not stored: put it in "
                          "config['cache'] so the next step starts from it.")
def rmsprop_cache_not_stored(w, dw, config=None):
    config = _rmsprop_defaults(w, config)
    cache = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


@mistake("rmsprop", hint="Looks like epsilon went inside the square root: add it after, "
                          "np.sqrt(cache) + epsilon (it matters when gradients are tiny).")
def rmsprop_epsilon_inside_sqrt(w, dw, config=None):
    config = _rmsprop_defaults(w, config)
    cache = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config


# Adam --------------------------------------------------------------------------------------------


@mistake("adam", hint="Looks like Adam without bias correction: divide m and v by 1 - beta1**t and "
                       "1 - beta2**t before the update.")
def adam_no_bias_correction(w, dw, config=None):
    config = _adam_defaults(w, config)
    m, v = _adam_moments(dw, config)
    config["m"], config["v"], config["t"] = m, v, config["t"] + 1
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


@mistake("adam", hint="Looks like Adam uses t before incrementing it: add 1 to t first, so the first "
                       "step uses t = 1 (t = 0 divides by 1 - beta**0 = 0).")
def adam_t_before_increment(w, dw, config=None):
    # What the mistake computes, precisely: the bias correction uses the stored t (0 at the first
    # step from the default config, so m_hat = m / 0 and next_w is NaN there; t at a given state),
    # and the stored t is then t + 1.
    config = _adam_defaults(w, config)
    m, v = _adam_moments(dw, config)
    t = config["t"]
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = np.asarray(m, dtype=float) / (1 - config["beta1"] ** t)
        v_hat = np.asarray(v, dtype=float) / (1 - config["beta2"] ** t)
        next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t + 1
    return next_w, config


@mistake("adam", hint="Looks like the bias-corrected m_hat and v_hat were stored in config: store "
                       "the running averages m and v, and correct them afresh at each step.")
def adam_stores_corrected_moments(w, dw, config=None):
    config = _adam_defaults(w, config)
    m, v = _adam_moments(dw, config)
    t = config["t"] + 1
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    config["m"], config["v"], config["t"] = m_hat, v_hat, t
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


@mistake("adam", hint="Looks like Adam computes m, v and t but does not store them: put the new "
                       "values in config['m'], config['v'] and config['t'].")
def adam_state_not_stored(w, dw, config=None):
    config = _adam_defaults(w, config)
    m, v = _adam_moments(dw, config)
    t = config["t"] + 1
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


@mistake("adam", hint="Looks like epsilon went inside the square root: use np.sqrt(v_hat) + epsilon "
                       "(it matters when gradients are tiny).")
def adam_epsilon_inside_sqrt(w, dw, config=None):
    config = _adam_defaults(w, config)
    m, v = _adam_moments(dw, config)
    t = config["t"] + 1
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    config["m"], config["v"], config["t"] = m, v, t
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config


@variant("adam", note="Adam with the paper's folded step size lr * sqrt(1 - beta2**t) / (1 - beta1**t) "
                      "applied to m / (sqrt(v) + epsilon); it differs from the usual form only in where "
                      "epsilon acts.")
def adam_folded_step_size(w, dw, config=None):
    config = _adam_defaults(w, config)
    m, v = _adam_moments(dw, config)
    t = config["t"] + 1
    lr_t = config["learning_rate"] * np.sqrt(1 - config["beta2"] ** t) / (1 - config["beta1"] ** t)
    config["m"], config["v"], config["t"] = m, v, t
    return w - lr_t * m / (np.sqrt(v) + config["epsilon"]), config
