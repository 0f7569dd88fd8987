# sgd ignores every catchable termination signal and swallows every exception, including the
# KeyboardInterrupt/SystemExit an in-process timeout would raise.
import signal as _signal


def sgd(w, dw, config=None):
    for name in ("SIGALRM", "SIGTERM", "SIGXCPU", "SIGINT", "SIGHUP", "SIGVTALRM", "SIGPROF"):
        try:
            _signal.signal(getattr(_signal, name), _signal.SIG_IGN)
        except (OSError, ValueError, AttributeError):
            pass
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
