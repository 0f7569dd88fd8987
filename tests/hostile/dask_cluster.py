"""A local Dask cluster for test_faults.py, run as its own program (never from stdin: Dask starts its
workers with the spawn method, and they re-import the main module).

Prints one JSON line {"address": ..., "workers": {address: pid}} once the workers are up, then runs
until its standard input is closed.
"""

import json
import os
import sys

if __name__ == "__main__":
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.wait_for_workers(2, timeout=60)
    print(json.dumps({"address": cluster.scheduler_address, "workers": client.run(os.getpid)}), flush=True)
    sys.stdin.read()
    client.close()
    cluster.close()
