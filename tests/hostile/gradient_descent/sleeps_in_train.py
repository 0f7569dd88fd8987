# train sleeps for an hour; everything else is honest.
import time as _time


def train(features, targets, epochs=1000, learnrate=0.5, seed=42):
    _time.sleep(3600)
