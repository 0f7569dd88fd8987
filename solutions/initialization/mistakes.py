"""Known mistakes of the initialization assignment."""

import numpy as np

import initialization as ref
from grader.checks import mistake


@mistake("he", hint="He initialisation scales by fan_in, the number of inputs of each unit: "
                    "use sqrt(2 / fan_in), not sqrt(2 / fan_out).")
def he_fan_out(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_out)


@mistake("he", hint="That is Xavier's scale: He initialisation uses sqrt(2 / fan_in), twice the "
                    "variance, because ReLU zeroes half of its inputs.")
def he_is_xavier(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / fan_in)


@mistake("he", hint="The draw has the wrong shape: use rng.standard_normal((fan_in, fan_out)); "
                    "drawing (fan_out, fan_in) and transposing puts different numbers in each place.")
def he_transposed_draw(fan_in, fan_out, rng):
    return rng.standard_normal((fan_out, fan_in)).T * np.sqrt(2.0 / fan_in)


@mistake("he", hint="The factor is inverted: multiply the standard normal draw by sqrt(2 / fan_in) "
                    "(or divide by sqrt(fan_in / 2)).")
def he_inverted(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(fan_in / 2.0)


@mistake("xavier", hint="That is He's scale: Xavier initialisation uses sqrt(1 / fan_in).")
def xavier_is_he(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


@mistake("xavier", hint="Xavier initialisation scales by fan_in: use sqrt(1 / fan_in), not "
                        "sqrt(1 / fan_out).")
def xavier_fan_out(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / fan_out)


@mistake("glorot", hint="Glorot's numerator is 2: the standard deviation is "
                        "sqrt(2 / (fan_in + fan_out)).")
def glorot_numerator_one(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / (fan_in + fan_out))


@mistake("glorot", hint="Glorot initialisation averages both fans: use sqrt(2 / (fan_in + "
                        "fan_out)), not the fan_in-only Xavier scale.")
def glorot_is_xavier(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / fan_in)


def _train(features, targets, w_ih, w_ho, learnrate, steps, *, hidden_derivative=True,
           average=True, updated_w_ho=False, in_place=False):
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n = len(targets) if average else 1
    if not in_place:
        w_ih, w_ho = np.array(w_ih, dtype=float), np.array(w_ho, dtype=float)
    for _ in range(steps):
        hidden = ref.sigmoid(features @ w_ih)
        output = ref.sigmoid(hidden @ w_ho)
        output_error_term = (targets - output) * output * (1 - output)
        delta_ho = learnrate * hidden.T @ output_error_term / n
        w_for_hidden = w_ho + delta_ho if updated_w_ho else w_ho
        hidden_error_term = output_error_term[:, None] * w_for_hidden
        if hidden_derivative:
            hidden_error_term = hidden_error_term * hidden * (1 - hidden)
        w_ho += delta_ho
        w_ih += learnrate * features.T @ hidden_error_term / n
    return w_ih, w_ho


@mistake("train_tiny_net", hint="The hidden error term is missing the sigmoid's derivative: "
                               "multiply by hidden * (1 - hidden).")
def tiny_net_no_hidden_derivative(features, targets, w_input_hidden, w_hidden_output, learnrate=0.5,
                                  steps=10):
    return _train(features, targets, w_input_hidden, w_hidden_output, learnrate, steps,
                  hidden_derivative=False)


@mistake("train_tiny_net", hint="The steps are summed over the records: divide both updates by "
                               "n_records.")
def tiny_net_not_averaged(features, targets, w_input_hidden, w_hidden_output, learnrate=0.5,
                          steps=10):
    return _train(features, targets, w_input_hidden, w_hidden_output, learnrate, steps, average=False)


@mistake("train_tiny_net", hint="The hidden error term uses the already-updated hidden-to-output "
                               "weights: compute both error terms before changing any weight.")
def tiny_net_uses_updated_weights(features, targets, w_input_hidden, w_hidden_output, learnrate=0.5,
                                  steps=10):
    return _train(features, targets, w_input_hidden, w_hidden_output, learnrate, steps,
                  updated_w_ho=True)


@mistake("train_tiny_net", hint="The weight arrays you were given are changed in place: copy them "
                               "first (np.array(w, dtype=float)) and update the copies.")
def tiny_net_in_place(features, targets, w_input_hidden, w_hidden_output, learnrate=0.5, steps=10):
    return _train(features, targets, w_input_hidden, w_hidden_output, learnrate, steps, in_place=True)
