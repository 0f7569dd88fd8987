"""Run one notebook top to bottom in a Jupyter kernel and save it with its outputs.

``python _execute_notebook.py NOTEBOOK``: exit 0 with the executed notebook written back in place,
or exit 1 with the failing cell and its traceback on stderr. It runs in a process of its own so the
test process never holds a kernel client's threads and sockets (the sandbox tests fork that process
under a 1 GiB address-space limit).
"""

import sys
from pathlib import Path

import nbclient
import nbformat


def main(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    except nbclient.exceptions.CellExecutionError as exc:
        print(exc, file=sys.stderr)
        return 1
    nbformat.write(nb, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
