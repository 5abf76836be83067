#!/usr/bin/python3
# Independent reference for `wayfinder kconfig count`: counts Kconfig symbols by type with Debian's
# python3-kconfiglib (14.1), so the TypeScript reader is checked against a second implementation
# rather than against numbers typed into a test.
#
#   /usr/bin/python3 test/kconfig/kconfiglib-reference.py <linux source dir> arch <SRCARCH>
#   /usr/bin/python3 test/kconfig/kconfiglib-reference.py <linux source dir> all <file list>
#
# Prints one JSON object {counts: {bool, tristate, string, hex, int, total, prompted, typeless},
# types: {symbol name: type}} so a test can compare symbol by symbol, not only the totals.
#
# Two adaptations, both applied while kconfiglib reads a file (its own code is untouched):
# - kconfiglib 14.1 predates Linux 5.14's bare `modules` property (it only knows `option modules`)
#   and stops with a parse error on kernel/module/Kconfig; a bare `modules` line is read as
#   `option modules`, which has the same meaning.
# - "all" mode counts every Kconfig* file of the tree, each read on its own: a generated top file
#   sources them in the given order and `source` lines inside them are blanked (every file is
#   visited directly, and following them would revisit files). Files written to demonstrate
#   dependency loops (Documentation/kbuild) would make kconfiglib stop, so its loop check is
#   switched off in that mode; loops do not change a symbol's type.
import io
import json
import os
import re
import sys
import tempfile

import kconfiglib

MODULES_LINE = re.compile(r"^(\s+)modules(\s*(#.*)?)$", re.M)
SOURCE_LINE = re.compile(r"^\s*o?r?source\s.*$", re.M)


def main() -> None:
    srctree, mode, arg = sys.argv[1], sys.argv[2], sys.argv[3]
    srctree = os.path.abspath(srctree)
    os.environ["srctree"] = srctree
    os.environ.setdefault("CC", "gcc")
    os.environ.setdefault("LD", "ld")
    os.environ.setdefault("HOSTCC", "gcc")
    os.environ.setdefault("HOSTCXX", "g++")
    os.environ.setdefault("RUSTC", "rustc")
    os.environ.setdefault("BINDGEN", "bindgen")
    os.environ.setdefault("KERNELVERSION", "6.1")
    os.environ.setdefault("HEADER_ARCH", "x86")  # User-mode Linux takes its headers from the host arch
    top = None
    original_open = kconfiglib.Kconfig._open

    def patched_open(self, filename, mode_):
        if mode_ != "r":
            return original_open(self, filename, mode_)
        with original_open(self, filename, "r") as f:
            text = f.read()
        text = MODULES_LINE.sub(r"\1option modules\2", text)
        if top is not None and os.path.abspath(filename) != top:
            # keep the line count so kconfiglib's locations stay right
            text = SOURCE_LINE.sub("", text)
        return io.StringIO(text)

    kconfiglib.Kconfig._open = patched_open

    if mode == "arch":
        os.environ["ARCH"] = arg
        os.environ["SRCARCH"] = arg
        kconf = kconfiglib.Kconfig(os.path.join(srctree, "Kconfig"), warn=False)
    elif mode == "all":
        os.environ["ARCH"] = os.environ["SRCARCH"] = "x86"
        files = [line for line in open(arg).read().split("\n") if line]
        # the macro definitions (cc-option, ...) must be read before the files that call them
        files.sort(key=lambda f: f != "scripts/Kconfig.include")
        tmp = tempfile.NamedTemporaryFile("w", suffix=".Kconfig", delete=False)
        tmp.write("".join('source "%s"\n' % os.path.join(srctree, f) for f in files))
        tmp.close()
        top = os.path.abspath(tmp.name)
        kconfiglib._check_dep_loop_sym = lambda sym, ignore_choice: None
        try:
            kconf = kconfiglib.Kconfig(top, warn=False)
        finally:
            os.unlink(tmp.name)
    else:
        sys.exit("mode must be arch or all")

    names = {kconfiglib.BOOL: "bool", kconfiglib.TRISTATE: "tristate", kconfiglib.STRING: "string",
             kconfiglib.HEX: "hex", kconfiglib.INT: "int"}
    counts = {"bool": 0, "tristate": 0, "string": 0, "hex": 0, "int": 0, "total": 0, "prompted": 0, "typeless": 0}
    types = {}
    for sym in kconf.unique_defined_syms:
        # orig_type: the declared type (`type` turns tristate into bool when MODULES is off)
        kind = names.get(sym.orig_type)
        if kind is None:
            counts["typeless"] += 1
            continue
        counts[kind] += 1
        types[sym.name] = kind
        counts["total"] += 1
        if any(node.prompt for node in sym.nodes):
            counts["prompted"] += 1
    print(json.dumps({"counts": counts, "types": types}))


main()
