"""A class of `optim` submissions with known answers, for the similarity report.

Five students write right solutions independently, each in a style of their own. Three copies are
planted (renamed variables; reordered independent statements with comments and dead code added; a
function moved and renamed), two students share a rare mistake written in different words (Adam's
second moment bias-corrected with ``beta1``: not one of the known mistakes), and two hand in the
untouched stub. Every submission is the stub with the TODO placeholders filled in, as a student's is.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUB = (ROOT / "assignments" / "optim" / "optim.py").read_text()

STYLES = {
    "ana": {  # the textbook form
        "sgd": 'next_w = w - config["learning_rate"] * dw',
        "sgd_momentum": '''
            v = config["momentum"] * v - config["learning_rate"] * dw
            next_w = w + v
            config["velocity"] = v''',
        "rmsprop": '''
            cache = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
            next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
            config["cache"] = cache''',
        "adam": '''
            beta1, beta2 = config["beta1"], config["beta2"]
            t = config["t"] + 1
            m = beta1 * config["m"] + (1 - beta1) * dw
            v = beta2 * config["v"] + (1 - beta2) * dw**2
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
            config["m"], config["v"], config["t"] = m, v, t''',
    },
    "bo": {  # hyperparameters pulled out first, state updated in place in the dictionary
        "sgd": '''
            lr = config.get("learning_rate")
            step = lr * dw
            next_w = w - step''',
        "sgd_momentum": '''
            mu = config["momentum"]
            lr = config["learning_rate"]
            velocity = mu * v
            velocity -= lr * dw
            config["velocity"] = velocity
            next_w = w.copy() + velocity''',
        "rmsprop": '''
            rho = config["decay_rate"]
            eps = config["epsilon"]
            lr = config["learning_rate"]
            config["cache"] = rho * config["cache"] + (1.0 - rho) * np.square(dw)
            denominator = np.sqrt(config["cache"]) + eps
            next_w = w - lr * (dw / denominator)''',
        "adam": '''
            config["t"] += 1
            b1 = config["beta1"]
            b2 = config["beta2"]
            config["m"] = b1 * config["m"] + (1 - b1) * dw
            config["v"] = b2 * config["v"] + (1 - b2) * np.square(dw)
            first = config["m"] / (1 - np.power(b1, config["t"]))
            second = config["v"] / (1 - np.power(b2, config["t"]))
            next_w = w - config["learning_rate"] * first / (np.sqrt(second) + config["epsilon"])''',
    },
    "cy": {  # helper-free but written as sums with explicit temporaries
        "sgd": '''
            update = -config["learning_rate"] * dw
            next_w = np.add(w, update)''',
        "sgd_momentum": '''
            old = v
            new = np.multiply(config["momentum"], old) + np.multiply(-config["learning_rate"], dw)
            config.update(velocity=new)
            next_w = np.add(w, new)''',
        "rmsprop": '''
            decay = config["decay_rate"]
            squared = dw * dw
            running = decay * config["cache"]
            running = running + (1 - decay) * squared
            config.update(cache=running)
            scale = 1.0 / (running ** 0.5 + config["epsilon"])
            next_w = w - config["learning_rate"] * dw * scale''',
        "adam": '''
            step_count = config["t"] + 1
            config["t"] = step_count
            mean = config["beta1"] * config["m"]
            mean = mean + (1 - config["beta1"]) * dw
            var = config["beta2"] * config["v"]
            var = var + (1 - config["beta2"]) * dw * dw
            config.update(m=mean, v=var)
            corrected_mean = mean / (1 - config["beta1"] ** step_count)
            corrected_var = var / (1 - config["beta2"] ** step_count)
            denom = corrected_var ** 0.5 + config["epsilon"]
            next_w = w - config["learning_rate"] * corrected_mean / denom''',
    },
    "di": {  # loops over a tuple of keys and small local functions
        "sgd": '''
            def step(x, g):
                return x - config["learning_rate"] * g
            next_w = step(w, dw)''',
        "sgd_momentum": '''
            for key in ("momentum",):
                v = config[key] * v
            v = v - config["learning_rate"] * dw
            config["velocity"] = v
            next_w = v + w''',
        "rmsprop": '''
            def smooth(avg, value, rate):
                return rate * avg + (1 - rate) * value
            config["cache"] = smooth(config["cache"], dw ** 2, config["decay_rate"])
            root = np.sqrt(config["cache"])
            next_w = w - (config["learning_rate"] / (root + config["epsilon"])) * dw''',
        "adam": '''
            def smooth(avg, value, rate):
                return rate * avg + (1 - rate) * value
            def unbias(avg, rate, steps):
                return avg / (1 - rate ** steps)
            config["t"] = config["t"] + 1
            config["m"] = smooth(config["m"], dw, config["beta1"])
            config["v"] = smooth(config["v"], dw ** 2, config["beta2"])
            mh = unbias(config["m"], config["beta1"], config["t"])
            vh = unbias(config["v"], config["beta2"], config["t"])
            next_w = w - config["learning_rate"] * mh / (np.sqrt(vh) + config["epsilon"])''',
    },
    "eli": {  # one long expression each, with a guard on the shapes
        "sgd": '''
            assert w.shape == dw.shape, "shapes differ"
            next_w = w + (-1) * config["learning_rate"] * dw''',
        "sgd_momentum": '''
            assert v.shape == w.shape
            config["velocity"] = config["momentum"] * v - config["learning_rate"] * dw
            next_w = w + config["velocity"]''',
        "rmsprop": '''
            g2 = dw * dw
            config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * g2
            next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])''',
        "adam": '''
            t, m, v = config["t"] + 1, config["m"], config["v"]
            m = config["beta1"] * m + (1 - config["beta1"]) * dw
            v = config["beta2"] * v + (1 - config["beta2"]) * (dw * dw)
            config.update({"t": t, "m": m, "v": v})
            lr_t = config["learning_rate"] * np.sqrt(1 - config["beta2"] ** t) / (1 - config["beta1"] ** t)
            next_w = w - lr_t * m / (np.sqrt(v) + config["epsilon"] * np.sqrt(1 - config["beta2"] ** t))''',
    },
}

# the two students who share a rare mistake, each in words of their own: v_hat divided by 1 - beta1**t
MISTAKES = {
    "fay": {
        "sgd": '''
            rate = config["learning_rate"]
            next_w = w - rate * dw''',
        "sgd_momentum": '''
            velocity = config["momentum"] * v - config["learning_rate"] * dw
            config["velocity"] = velocity
            next_w = w + velocity''',
        "rmsprop": '''
            config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
            next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])''',
        "adam": '''
            config["t"] = config["t"] + 1
            config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
            config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
            mhat = config["m"] / (1 - config["beta1"] ** config["t"])
            vhat = config["v"] / (1 - config["beta1"] ** config["t"])
            next_w = w - config["learning_rate"] * mhat / (np.sqrt(vhat) + config["epsilon"])''',
    },
    "gus": {
        "sgd": '''
            next_w = w - dw * config["learning_rate"]''',
        "sgd_momentum": '''
            damp, lr = config["momentum"], config["learning_rate"]
            v = damp * v - lr * dw
            next_w = w + v
            config["velocity"] = v''',
        "rmsprop": '''
            r = config["decay_rate"]
            acc = r * config["cache"] + (1 - r) * dw**2
            config["cache"] = acc
            next_w = w - config["learning_rate"] * dw / (np.sqrt(acc) + config["epsilon"])''',
        "adam": '''
            b1, b2, n = config["beta1"], config["beta2"], config["t"] + 1
            first = b1 * config["m"] + (1 - b1) * dw
            second = b2 * config["v"] + (1 - b2) * dw**2
            config.update(m=first, v=second, t=n)
            correction = 1 - b1**n
            next_w = w - config["learning_rate"] * (first / correction) / (np.sqrt(second / correction)
                                                                           + config["epsilon"])''',
    },
}


def _indent(code: str) -> str:
    return textwrap.indent(textwrap.dedent(code).strip("\n"), "    ")


def fill(bodies: dict[str, str], stub: str = STUB) -> str:
    """The stub with each function's TODO placeholder replaced by the given body."""
    out = stub
    for fn, body in bodies.items():
        pattern = re.compile(rf"(def {fn}\(.*?)\n    raise NotImplementedError\([^\n]*\)", re.S)
        out, n = pattern.subn(lambda m: m.group(1) + "\n" + _indent(body), out, count=1)
        assert n == 1, fn
    return out


def renamed(source: str, names: dict[str, str]) -> str:
    for old, new in names.items():
        source = re.sub(rf"\b{old}\b", new, source)
    return source


def move_function(source: str, name: str) -> str:
    """``source`` with function ``name`` moved to just after the imports."""
    match = re.search(rf"\ndef {name}\(.*?(?=\n# %%|\ndef |\nif __name__)", source, re.S)
    block = match.group(0)
    source = source.replace(block, "")
    return source.replace("import numpy as np\n", "import numpy as np\n" + block + "\n", 1)


def copies() -> dict[str, str]:
    """The planted copies: name -> source."""
    bo = STYLES["bo"]
    cy = STYLES["cy"]
    reordered = dict(cy)
    reordered["rmsprop"] = '''
        # squared gradient first, it does not depend on anything else
        squared = dw * dw
        decay = config["decay_rate"]
        unused_total = 0  # was going to track a sum
        running = decay * config["cache"]
        running = running + (1 - decay) * squared
        config.update(cache=running)
        scale = 1.0 / (running ** 0.5 + config["epsilon"])
        next_w = w - config["learning_rate"] * dw * scale'''
    reordered["adam"] = '''
        step_count = config["t"] + 1
        config["t"] = step_count
        # second moment before the first: they are independent
        var = config["beta2"] * config["v"]
        var = var + (1 - config["beta2"]) * dw * dw
        mean = config["beta1"] * config["m"]
        mean = mean + (1 - config["beta1"]) * dw
        config.update(m=mean, v=var)
        if False:
            print("debug", mean, var)
        corrected_var = var / (1 - config["beta2"] ** step_count)
        corrected_mean = mean / (1 - config["beta1"] ** step_count)
        denom = corrected_var ** 0.5 + config["epsilon"]
        next_w = w - config["learning_rate"] * corrected_mean / denom'''
    return {
        "hal": renamed(fill(bo), {"lr": "alpha", "mu": "friction", "rho": "decay",
                                  "eps": "tiny", "b1": "beta_one", "b2": "beta_two", "first": "mom1",
                                  "second": "mom2", "denominator": "bottom", "step": "delta"}),
        "ivy": fill(reordered),
        "jon": renamed(move_function(fill(STYLES["di"]), "adam"),
                       {"smooth": "ema", "unbias": "debias", "mh": "m_corr", "vh": "v_corr", "root": "r"}),
    }


PLANTED = {("bo", "hal"), ("cy", "ivy"), ("di", "jon"), ("fay", "gus")}
INDEPENDENT = {"ana", "bo", "cy", "di", "eli", "fay", "gus"}
STUBS = {"kim", "lou"}


def build_class(folder: Path) -> Path:
    """Write the whole class into ``folder`` (one ``.py`` per student) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {name: fill(bodies) for name, bodies in {**STYLES, **MISTAKES}.items()}
    sources.update(copies())
    sources.update({name: STUB for name in STUBS})
    for name, source in sources.items():
        (folder / f"{name}.py").write_text(source)
    return folder
