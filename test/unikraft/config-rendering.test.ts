// Unikraft driver, compile-time side: Kconfig requests from a configuration, the merged .config, make argv, paths.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDotConfig } from "../../lib/kconfig";
import { WayfinderError } from "../../lib/errors";
import {
  MERGE_MARKER, mergeDotConfig, unboundParameters, resolveUnikraftPaths, spellKconfigValue, unikraftKconfigRequest, unikraftMakeArgv, validateUnikraftTarget,
} from "../../harness/unikraft/index";

const params = [
  { name: "LWIP_NUM_TCPCON", phase: "compile" },
  { name: "ALLOCATOR", phase: "compile" },
  { name: "LIBTINYALLOC_ALIGNMENT", phase: "compile" },
  { name: "ACCESS_LOG", phase: "compile" },
  { name: "KEEPALIVE_TIMEOUT", phase: "compile" },
  { name: "NUM_PARALLEL_CONNS", phase: "runtime" },
];
const target = validateUnikraftTarget({
  kind: "unikraft",
  checkout: { app: "apps/nginx", libs: ["lwip", "newlib"] },
  build: {
    kconfig: { LIBVFSCORE_ROOTFS_INITRD: "y", CONFIG_LIB9PFS: "n" },
    options: { ACCESS_LOG: "LIBDEVFS_DEV_STDOUT" },
    choices: {
      ALLOCATOR: {
        bbuddy: { LIBUKALLOCBBUDDY: "y", LIBTINYALLOC: "n" },
        tinyalloc: { LIBUKALLOCBBUDDY: "n", LIBTINYALLOC: "y" },
      },
    },
    notKconfig: ["KEEPALIVE_TIMEOUT"],
  },
  benchmark: { tool: "wrk", argv: ["-t1", "-c{{NUM_PARALLEL_CONNS}}", "-d5s", "http://127.0.0.1:{{PORT}}/"] },
}, { params, objective: "throughput" });

test("validation fills defaults: core/libsDir, wrk's port 80, the lwIP user-net arguments, an HTTP readiness probe", () => {
  assert.equal(target.checkout.core, "unikraft");
  assert.equal(target.checkout.libsDir, "libs");
  assert.deepEqual(target.net, { guestPort: 80, args: ["netdev.ipv4_addr=10.0.2.15", "netdev.ipv4_gw_addr=10.0.2.2", "netdev.ipv4_subnet_mask=255.255.255.0"] });
  assert.deepEqual(target.ready, { kind: "http", path: "/" });
  assert.deepEqual(target.build.kconfig, { LIBVFSCORE_ROOTFS_INITRD: "y", LIB9PFS: "n" }, "CONFIG_ prefix stripped");
  assert.equal(target.timeouts.bootS, 60);
});

test("the request: fixed values, own-name symbols, renamed symbols, choice sets; inactive and non-Kconfig parameters left out", () => {
  const r = unikraftKconfigRequest(target.build, params.filter((p) => p.phase === "compile").map((p) => p.name), {
    LWIP_NUM_TCPCON: 32, ALLOCATOR: "tinyalloc", LIBTINYALLOC_ALIGNMENT: 16, ACCESS_LOG: "n", KEEPALIVE_TIMEOUT: 60, NUM_PARALLEL_CONNS: 30,
  });
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(r.values, {
    LIBVFSCORE_ROOTFS_INITRD: "y", LIB9PFS: "n", LWIP_NUM_TCPCON: 32, LIBUKALLOCBBUDDY: "n", LIBTINYALLOC: "y", LIBTINYALLOC_ALIGNMENT: 16, LIBDEVFS_DEV_STDOUT: "n",
  });
  assert.equal(r.origin.LIBTINYALLOC, "parameter ALLOCATOR=tinyalloc");
  // ALLOCATOR=bbuddy: the conditional LIBTINYALLOC_ALIGNMENT is absent from the configuration, so it is not requested.
  const b = unikraftKconfigRequest(target.build, ["ALLOCATOR", "LIBTINYALLOC_ALIGNMENT"], { ALLOCATOR: "bbuddy" });
  assert.deepEqual(Object.keys(b.values).sort(), ["LIB9PFS", "LIBTINYALLOC", "LIBUKALLOCBBUDDY", "LIBVFSCORE_ROOTFS_INITRD"]);
});

test("two sources asking different values of one symbol are a conflict; a choice value without an entry is a clear error", () => {
  const build = { ...target.build, kconfig: { LIBTINYALLOC: "n" } };
  const r = unikraftKconfigRequest(build, ["ALLOCATOR"], { ALLOCATOR: "tinyalloc" });
  assert.equal(r.conflicts.length, 1);
  assert.match(r.conflicts[0]!, /LIBTINYALLOC: build.kconfig asks for "n" but parameter ALLOCATOR=tinyalloc asks for "y"/);
  assert.throws(() => unikraftKconfigRequest(target.build, ["ALLOCATOR"], { ALLOCATOR: "tlsf" }), (e: unknown) =>
    e instanceof WayfinderError && /choices.ALLOCATOR has no entry for the value "tlsf"; valid: bbuddy, tinyalloc/.test(e.message));
});

test("mergeDotConfig replaces lines in place, appends new ones once, and reads back as the request", () => {
  const base = "CONFIG_HZ=100\n# CONFIG_LWIP_POOLS is not set\nCONFIG_LIBUKALLOCBBUDDY=y\n";
  const once = mergeDotConfig(base, { HZ: "1000", LWIP_POOLS: "y", LIBUKALLOCBBUDDY: "n", LWIP_NUM_TCPCON: "32", UK_NAME: '"nginx"' });
  assert.equal(once, `CONFIG_HZ=1000\nCONFIG_LWIP_POOLS=y\n# CONFIG_LIBUKALLOCBBUDDY is not set\n${MERGE_MARKER}\nCONFIG_LWIP_NUM_TCPCON=32\nCONFIG_UK_NAME="nginx"\n`);
  const twice = mergeDotConfig(once, { LWIP_NUM_TCPCON: "64", LWIP_POOLS_TRY_BIGGER_POOL: "y" });
  assert.equal(twice.split(MERGE_MARKER).length, 2, "the marker is not repeated");
  assert.equal(parseDotConfig(twice).get("LWIP_NUM_TCPCON"), "64");
  assert.ok(twice.endsWith("CONFIG_LWIP_POOLS_TRY_BIGGER_POOL=y\n"));
  assert.equal(mergeDotConfig("", {}), "");
});

test("values are spelled as .config writes them when no Kconfig tree is available", () => {
  assert.equal(spellKconfigValue(64), "64");
  assert.equal(spellKconfigValue("y"), "y");
  assert.equal(spellKconfigValue("0x1000"), "0x1000");
  assert.equal(spellKconfigValue("bbuddy"), '"bbuddy"');
  assert.equal(spellKconfigValue('a"b'), '"a\\"b"');
});

test("paths: root from WAYFINDER_UNIKRAFT_DIR or ${VAR} in the section; a clear error naming the variable otherwise", () => {
  const p = resolveUnikraftPaths(target.checkout, { WAYFINDER_UNIKRAFT_DIR: "/src/uk" });
  assert.deepEqual(p, { root: "/src/uk", app: "/src/uk/apps/nginx", core: "/src/uk/unikraft", libsDir: "/src/uk/libs", libs: ["/src/uk/libs/lwip", "/src/uk/libs/newlib"] });
  const q = resolveUnikraftPaths({ ...target.checkout, root: "${MY_UK}/x", core: "/opt/unikraft" }, { MY_UK: "/h" });
  assert.equal(q.app, "/h/x/apps/nginx");
  assert.equal(q.core, "/opt/unikraft");
  assert.throws(() => resolveUnikraftPaths(target.checkout, {}), /set WAYFINDER_UNIKRAFT_DIR/);
  assert.throws(() => resolveUnikraftPaths({ ...target.checkout, root: "${NOPE}" }, {}), /\$\{NOPE\}, which is not set/);
});

test("make argv: no shell, UK_ROOT/UK_LIBS/LIBS as variables, olddefconfig then -jN", () => {
  const p = resolveUnikraftPaths(target.checkout, { WAYFINDER_UNIKRAFT_DIR: "/src/uk dir" });
  assert.deepEqual(unikraftMakeArgv(p, "olddefconfig", { jobs: 2, makeVariables: { V: "1" } }), {
    file: "make",
    args: ["-C", "/src/uk dir/apps/nginx", "UK_ROOT=/src/uk dir/unikraft", "UK_LIBS=/src/uk dir/libs", "LIBS=/src/uk dir/libs/lwip:/src/uk dir/libs/newlib", "V=1", "olddefconfig"],
  });
  assert.equal(unikraftMakeArgv(p, "build", { jobs: 3 }).args.at(-1), "-j3");
  assert.throws(() => unikraftMakeArgv({ ...p, libs: ["/a:b"] }, "build", { jobs: 1 }), /contains ":"/);
});

test("bad target sections: each problem names the path, the value and what is valid", () => {
  const bad = (raw: Record<string, unknown>, re: RegExp, objective = "throughput") =>
    assert.throws(() => validateUnikraftTarget({ kind: "unikraft", checkout: { app: "a" }, benchmark: { tool: "wrk", argv: ["http://127.0.0.1:{{PORT}}/"] }, ...raw }, { params, objective }), (e: unknown) => e instanceof WayfinderError && re.test(e.message));
  bad({ checkout: { app: "a", colour: 1 } }, /target.checkout.colour: unknown key "colour" in checkout; valid keys: root, app, core, libsDir, libs/);
  bad({ build: { options: { NUM_PARALLEL_CONNS: "X" } } }, /target.build.options.NUM_PARALLEL_CONNS: parameter NUM_PARALLEL_CONNS has phase runtime; only compile-time/);
  bad({ build: { options: { NOPE: "X" } } }, /"NOPE" is not a parameter of this job/);
  bad({ build: { kconfig: { "BAD-NAME": "y" } } }, /"BAD-NAME" is not valid; expected a Kconfig symbol name/);
  bad({ benchmark: { tool: "ab", argv: [] } }, /target.benchmark.tool: "ab" is not valid; expected one of wrk, redis-benchmark, console/);
  bad({ benchmark: { tool: "wrk", argv: ["http://127.0.0.1:8080/"] } }, /put \{\{PORT\}\} in its arguments/);
  bad({ benchmark: { tool: "wrk", argv: ["-c{{CONNS}}", "{{PORT}}"] } }, /\{\{CONNS\}\} names no parameter of this job/);
  bad({}, /objective "ops" is not a metric wrk reports; valid: throughput, latency_avg_ms, requests, socket_errors/, "ops");
  bad({ benchmark: { tool: "console", metrics: [{ name: "ops", pattern: "ops=[0-9]+" }] } }, /has no capture group/, "ops");
  bad({ vm: { memoryMiB: 2 } }, /target.vm.memoryMiB: expected an integer from 4 to 65536, got 2/);
  bad({ ready: { kind: "tcp" } }, /target.ready.kind: "tcp" is not valid; expected http/);
  assert.throws(() => validateUnikraftTarget({ kind: "linux" }), /target.kind: expected kind: unikraft/);
});

test("parameters that reach nothing (not Kconfig, named by no template or argument) are found", () => {
  // KEEPALIVE_TIMEOUT is declared not-Kconfig and no template names it; NUM_PARALLEL_CONNS feeds wrk -c.
  assert.deepEqual(unboundParameters(target, [...params, { name: "EXTRA", phase: "application" }]), ["KEEPALIVE_TIMEOUT", "EXTRA"]);
  const withTemplate = { ...target, rootfs: { files: [{ path: "/nginx.conf", format: "nginx" as const, template: "keepalive_timeout {{KEEPALIVE_TIMEOUT}}; # {{EXTRA}}" }] } };
  assert.deepEqual(unboundParameters(withTemplate, [...params, { name: "EXTRA", phase: "application" }]), []);
});
