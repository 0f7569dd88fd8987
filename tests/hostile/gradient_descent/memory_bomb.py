# train_stochastic asks numpy for a petabyte; iterate_minibatches fills memory with batches until
# refused (address space: the limit refuses it without the memory being touched). Both end in
# MemoryError inside their own checks; the trainers built on iterate_minibatches inherit it.
import numpy as _np


def train_stochastic(features, targets, epochs=100, learnrate=0.5, seed=42):
    return _np.empty(1 << 47)


def iterate_minibatches(features, targets, batch_size, rng):
    hoard = []
    while True:
        hoard.append(_np.empty(16 << 20))
    yield features, targets
