# An earlier student, as far as scans_memory_for_others.py is concerned: adam fails with an error whose
# message and source line hold a marker. A zygote that relayed this frame kept copies of it in its
# memory, where every later child (a copy of that memory) could find it. Otherwise honest.
import time as _time

_time.sleep(0.3)  # a slow import: the submissions after this one are queued meanwhile


def adam(w, dw, config=None):
    raise ValueError("@@EARLIER_MARKER@@ is this student's own text")
