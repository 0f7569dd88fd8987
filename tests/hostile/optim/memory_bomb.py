# rmsprop asks for 8 GiB at once (MemoryError under the address-space limit). sgd_momentum first
# reserves memory in 64 MiB blocks until refused, lets it go, and then does honest work: the limit
# must not cost it its points.
import numpy as _np

_grabbed = False
_reference_momentum = sgd_momentum  # noqa: F821 (the honest version defined above)


def rmsprop(w, dw, config=None):
    hog = bytearray(8 << 30)
    return w + len(hog), config


def sgd_momentum(w, dw, config=None):
    global _grabbed
    if not _grabbed:
        _grabbed = True
        blocks = []
        try:
            while len(blocks) < 64:
                blocks.append(_np.empty(8 << 20))
        except MemoryError:
            pass
        del blocks
    return _reference_momentum(w, dw, config)
