// Pure parts of the build driver: incremental ordering and build-failure evidence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { distance, firstErrorLines, orderForIncrementalBuilds } from "../../harness/build";

test("builds are ordered so consecutive configurations differ little (greedy, deterministic)", () => {
  const a = { PRINTK_TIME: "y" };
  const b = { PRINTK_TIME: "y", HIGH_RES_TIMERS: "y", SMP: "y" };
  const c = { PRINTK_TIME: "y", HIGH_RES_TIMERS: "y" };
  const d = { SMP: "y" };
  // from the base: d and a are one option away (tie: input order), then b is 2 from d, c 1 from b, a 1 from c
  const ordered = orderForIncrementalBuilds([b, d, a, c]);
  assert.deepEqual(ordered, [d, b, c, a]);
  const cost = (xs: Record<string, string>[]) => xs.reduce((s, x, i) => s + distance(i ? xs[i - 1]! : {}, x), 0);
  assert.ok(cost(ordered) < cost([b, d, a, c]), `${cost(ordered)} vs ${cost([b, d, a, c])}`);
  // from the tree's current configuration instead of the bare base
  assert.deepEqual(orderForIncrementalBuilds([a, d, c], c), [c, a, d]);
  assert.equal(distance(a, b), 2);
  assert.equal(distance({}, {}), 0);
  assert.deepEqual(orderForIncrementalBuilds([]), []);
});

test("first error lines of a failed kernel build, in order, without duplicates", () => {
  const log = [
    "  CC      init/main.o",
    "init/main.c:12:5: error: expected ';' before 'return'",
    "   12 | int x",
    "init/main.c:12:5: error: expected ';' before 'return'",
    "make[3]: *** [scripts/Makefile.build:250: init/main.o] Error 1",
    "ld: vmlinux.o: undefined reference to `foo'",
    "  CC      kernel/fork.o",
  ].join("\n");
  assert.deepEqual(firstErrorLines(log), [
    "init/main.c:12:5: error: expected ';' before 'return'",
    "make[3]: *** [scripts/Makefile.build:250: init/main.o] Error 1",
    "ld: vmlinux.o: undefined reference to `foo'",
  ]);
  assert.deepEqual(firstErrorLines("  CC init/main.o\n  LD vmlinux\n"), []);
  assert.deepEqual(firstErrorLines("  HOSTCC  scripts/basic/fixdep\n/bin/sh: 1: /nonexistent/gcc: not found\n"), ["/bin/sh: 1: /nonexistent/gcc: not found"]);
});
