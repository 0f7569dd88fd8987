# rmsprop sleeps for an hour.
import time as _time


def rmsprop(w, dw, config=None):
    _time.sleep(3600)
    return w, config
