# sgd_momentum never returns.


def sgd_momentum(w, dw, config=None):
    while True:
        pass
