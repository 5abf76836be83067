// `wayfinder kconfig count` against an independent implementation: Debian's python3-kconfiglib reads
// the same linux-source-6.1 tree (test/kconfig/kconfiglib-reference.py) and the two must agree on the
// type of every single symbol, not only on the totals.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureKernelSource } from "../../harness/build/kernel-source";
import { countKconfigSymbols, listKconfigFiles, readKconfigTree, type KconfigTree } from "../../lib/kconfig";

let src = "";
before(() => {
  src = ensureKernelSource({ onNote: (n) => console.log(n) });
});

interface Reference { counts: Record<string, number>; types: Record<string, string> }

function kconfiglib(...args: string[]): Reference {
  const r = spawnSync("/usr/bin/python3", [join(import.meta.dirname, "kconfiglib-reference.py"), src, ...args], {
    encoding: "utf8", maxBuffer: 64 << 20, timeout: 180_000,
  });
  assert.equal(r.status, 0, `kconfiglib reference failed (is python3-kconfiglib installed?): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Reference;
}

const trees = new Map<string, KconfigTree>();
function tree(arch: string): KconfigTree {
  if (!trees.has(arch)) trees.set(arch, readKconfigTree(src, { arch }));
  return trees.get(arch)!;
}

function typesOf(tree: KconfigTree): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of tree.symbols.values()) if (s.type) out[s.name] = s.type;
  return out;
}

function assertSameAsReference(tree: KconfigTree, ref: Reference): void {
  const ours = typesOf(tree);
  const onlyOurs = Object.keys(ours).filter((k) => !(k in ref.types));
  const onlyRef = Object.keys(ref.types).filter((k) => !(k in ours));
  const differ = Object.keys(ours).filter((k) => k in ref.types && ours[k] !== ref.types[k]);
  assert.deepEqual({ onlyOurs, onlyRef, differ }, { onlyOurs: [], onlyRef: [], differ: [] });
  assert.deepEqual(countKconfigSymbols(tree), ref.counts);
}

for (const arch of ["x86", "riscv"]) {
  test(`ARCH=${arch}: every symbol's type agrees with kconfiglib`, () => {
    assertSameAsReference(tree(arch), kconfiglib("arch", arch));
    assert.ok(tree(arch).symbols.size > 15000, `only ${tree(arch).symbols.size} symbols`);
  });
}

test("every Kconfig* file (all architectures): agrees with kconfiglib on the same file list", () => {
  const files = listKconfigFiles(src);
  assert.ok(files.includes("arch/x86/Kconfig") && files.includes("arch/riscv/Kconfig") && files.includes("Kconfig"));
  assert.ok(!files.some((f) => f.startsWith("scripts/kconfig/tests/")));
  const dir = mkdtempSync(join(tmpdir(), "wf-kconfig-"));
  try {
    const list = join(dir, "files.txt");
    writeFileSync(list, files.join("\n") + "\n");
    const all = readKconfigTree(src, { all: true });
    assert.equal(all.files.length, files.length);
    const ref = kconfiglib("all", list);
    assertSameAsReference(all, ref);
    // more symbols than any one architecture sees
    assert.ok(ref.counts.total! > countKconfigSymbols(tree("x86")).total);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/wayfinder.js", "kconfig", ...args], { encoding: "utf8", timeout: 120_000 });

test("wayfinder kconfig count --json prints exactly the five types and the total", () => {
  const r = cli("count", src, "--arch", "x86", "--json");
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  const { bool, tristate, string, hex, int, total } = countKconfigSymbols(tree("x86"));
  assert.deepEqual(got, { bool, tristate, string, hex, int, total });
  assert.equal(got.total, bool + tristate + string + hex + int);
});

test("not a kernel tree, an unknown architecture, a missing source: clear errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-notkernel-"));
  try {
    const r = cli("count", dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not a kernel source tree: it has no Kconfig file/);
    const a = cli("count", src, "--arch", "vax");
    assert.equal(a.status, 2);
    assert.match(a.stderr, /no arch\/vax\/Kconfig .* valid: .*riscv.*x86/);
    // a tree whose Kconfig sources a file that does not exist
    writeFileSync(join(dir, "Kconfig"), 'config A\n\tbool "a"\n\nsource "sub/Kconfig"\n');
    const m = cli("count", dir);
    assert.equal(m.status, 2);
    assert.match(m.stderr, /Kconfig:4:\d+: source "sub\/Kconfig": no file "sub\/Kconfig"/);
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub/Kconfig"), "config B\n\tint\n");
    const ok = cli("count", dir, "--json");
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { bool: 1, tristate: 0, string: 0, hex: 0, int: 1, total: 2 });
    const text = cli("count", dir);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /bool\s+1\n\s+tristate\s+0\n[^]*int\s+1\n\s+total\s+2\b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
