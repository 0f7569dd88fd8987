# Starts a non-daemon thread at import that spins forever and writes to stdout; everything else is
# honest. The thread dies with each child process; it costs no points and leaves nothing behind.
import threading as _threading


def _spin():
    i = 0
    while True:
        i += 1
        if i % 1_000_000 == 0:
            print("still here", i)


_threading.Thread(target=_spin, name="@@MARK@@").start()
