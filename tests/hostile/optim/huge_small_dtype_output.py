# Every check of sgd is answered with one 60 MiB int8 array, sent as int8 (the harness in this process
# is patched so nothing converts it first): under the cap on the wire, but 480 MiB once the grader
# converts it to float64. The grader must count its caps after conversion and judge each check as
# it arrives, dropping its arrays, so that it stays far below 1 GiB however many checks answer like
# this. The other functions are honest.
import sys as _sys

import numpy as _np

_child = _sys.modules.get("grader.sandbox.child")
if _child is not None:  # in the sandbox's child
    _honest_evaluate = _child.evaluate

    def _huge(check, impl, seed):
        if "sgd" in check.functions:
            return {"answer": _np.ones(60 << 20, dtype=_np.int8)}
        return _honest_evaluate(check, impl, seed)

    _child.evaluate = _huge
