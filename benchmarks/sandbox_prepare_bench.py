"""What the zygote's preparations save per child: the confinement steps it now prepares for the next
child (an IPC namespace, a Landlock ruleset holding the read-only rules, an empty capability
bounding set), done in the child as before, or prepared by the parent before each fork as now.

    python benchmarks/sandbox_prepare_bench.py [FORKS]

A warm process (numpy imported) forks FORKS children (default 300) each way, twice, alternating.
Each child closes its descriptors, then makes or takes over its IPC namespace, restricts itself with
Landlock and drops its capabilities, and exits. Prints the medians of the wall time of each step in
the child, of the child's whole CPU time (the kernel's, from wait4) and the parent's CPU per fork.
Run it as root to see the capabilities step at full cost (an ordinary user has none to drop).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time

import numpy  # noqa: F401  (warm, as in the zygote)

from grader.sandbox import confine


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_child(read_only: list[str], workdir: str, prepared: bool) -> list[float]:
    """Fork one child that confines itself; [ipc, landlock, capabilities] wall in us, then its CPU."""
    if prepared:
        confine.renew_ipc_namespace()
        confine.prepare_filesystem(read_only)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        confine.close_fds(keep=[w, confine.prepared_ruleset()])
        t0 = time.perf_counter_ns()
        confine.isolate_ipc()
        t1 = time.perf_counter_ns()
        confine.restrict_filesystem(read_only, [workdir])
        t2 = time.perf_counter_ns()
        confine.drop_capabilities()
        t3 = time.perf_counter_ns()
        os.write(w, f"{t1 - t0} {t2 - t1} {t3 - t2}".encode())
        os._exit(0)
    os.close(w)
    data = os.read(r, 200)
    os.close(r)
    _, _, usage = os.wait4(pid, 0)
    return [int(x) / 1e3 for x in data.split()] + [(usage.ru_utime + usage.ru_stime) * 1e6]


def main() -> None:
    forks = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    workdir = tempfile.mkdtemp(prefix="grade-prepare-bench-")
    read_only = confine.default_read_only_paths()
    confine.prepare()
    try:
        for label, prepared in (("in the child", False), ("prepared by the parent", True)) * 2:
            if prepared:
                confine.drop_bounding_set()  # once, as the zygote does; it stays dropped in this process
            else:
                confine._bounding_dropped = False  # so that each child drops it again, as before
            began = _own_cpu()
            rows = [one_child(read_only, workdir, prepared) for _ in range(forks)]
            parent = (_own_cpu() - began) / forks * 1e6
            confine.release_prepared()
            confine._ipc_fresh = None
            ipc, landlock, caps, child = (statistics.median(column) for column in zip(*rows))
            print(f"{label:23s} wall in the child: IPC {ipc:6.0f} us, Landlock {landlock:5.0f} us, "
                  f"capabilities {caps:5.0f} us; child CPU {child:5.0f} us; parent CPU {parent:5.0f} us per fork")
    finally:
        os.rmdir(workdir)


if __name__ == "__main__":
    main()
