# rmsprop returns how many network operations succeeded ("got 0" expected): TCP to the test's
# loopback listener, UDP to its datagram socket, a Unix socket pair, an abstract Unix socket.
import socket as _socket

import numpy as _np


def _phone_home():
    ok = 0
    try:
        with _socket.create_connection(("127.0.0.1", @@PORT@@), timeout=0.5) as s:
            s.sendall(b"answers please")
            ok += 1
    except OSError:
        pass
    try:
        with _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM) as s:
            s.sendto(b"answers please", ("127.0.0.1", @@UDP_PORT@@))
            ok += 1
    except OSError:
        pass
    try:
        a, b = _socket.socketpair()
        a.close(), b.close()
        ok += 1
    except OSError:
        pass
    try:
        with _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM) as s:
            s.connect("\0grade-hostile-@@MARK@@")
            ok += 1
    except OSError:
        pass
    return ok


def rmsprop(w, dw, config=None):
    return _np.full(_np.shape(w), float(_phone_home())), (config or {})
