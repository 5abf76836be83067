"""Execute one notebook cell by cell with nbclient and report the first failing cell.

usage: run-notebook.py <in.ipynb> <out.ipynb> <cell-timeout-seconds>

Prints one JSON line: {"ok": true, "cells": N} or {"ok": false, "cell": i, "source": ..., "error": ...}.
The executed notebook (outputs up to the failure) is written to <out.ipynb> either way. Run with
/usr/bin/python3, whose nbclient comes from Debian's python3-nbclient.
"""
import json
import os
import re
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def outputs_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif kind == "error":
            parts.append("%s: %s" % (out.get("ename", ""), out.get("evalue", "")))
            parts.extend(out.get("traceback", []))
    return ANSI.sub("", "\n".join(parts)).strip()


def main():
    src, dst, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nb = nbformat.read(src, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "tslab")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    report = {"ok": True, "cells": len(nb.cells)}
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
                    detail = outputs_text(cell) or str(err).strip()
                    if isinstance(err, CellTimeoutError):
                        detail = "cell timed out after %d s\n%s" % (timeout, detail)
                    report = {"ok": False, "cell": index, "source": cell.source, "error": detail}
                    break
    except Exception as err:  # kernel failed to start, missing kernelspec, ...
        report = {"ok": False, "cell": None, "source": "", "error": "%s: %s" % (type(err).__name__, err)}
    nbformat.write(nb, dst)
    print(json.dumps(report))


main()
