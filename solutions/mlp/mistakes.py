"""Known mistakes of the mlp assignment."""

import numpy as np

import mlp as ref
from grader.checks import mistake


@mistake("layer_output", hint="The sigmoid is missing: a layer's output is sigmoid of its input.")
def layer_output_linear(x, weights):
    return ref.layer_input(x, weights)


@mistake("forward", hint="The output layer has no sigmoid: apply sigmoid to "
                         "hidden_output . weights_hidden_output as well.")
def forward_linear_output(x, weights_input_hidden, weights_hidden_output):
    hidden = ref.sigmoid(np.dot(x, weights_input_hidden))
    return hidden, np.dot(hidden, weights_hidden_output)


@mistake("forward", hint="The output layer is fed the hidden layer's input; feed it the hidden "
                         "layer's output, sigmoid(x . W_input_hidden).")
def forward_feeds_hidden_input(x, weights_input_hidden, weights_hidden_output):
    hidden_in = np.dot(x, weights_input_hidden)
    return ref.sigmoid(hidden_in), ref.sigmoid(np.dot(hidden_in, weights_hidden_output))


@mistake("forward", hint="The returned hidden value is the layer's input h = x . W; return its "
                         "output sigmoid(h).")
def forward_returns_hidden_input(x, weights_input_hidden, weights_hidden_output):
    hidden_in = np.dot(x, weights_input_hidden)
    return hidden_in, ref.sigmoid(np.dot(ref.sigmoid(hidden_in), weights_hidden_output))


@mistake("forward_layers", hint="Only the last layer applies the sigmoid; every layer's output "
                                "is sigmoid of its input.")
def forward_layers_linear_hidden(x, weights):
    outputs = []
    activation = x
    for k, w in enumerate(weights):
        activation = np.dot(activation, w)
        if k == len(weights) - 1:
            activation = ref.sigmoid(activation)
        outputs.append(activation)
    return outputs


@mistake("forward_layers", hint="Only the last layer's output is returned; return the list of "
                                "every layer's output.")
def forward_layers_last_only(x, weights):
    return [ref.forward_layers(x, weights)[-1]]
