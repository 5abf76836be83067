import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendInitrd, readCpio, writeCpio } from "../../harness/vm/cpio";

test("newc records are 4-byte aligned and parents are emitted first", () => {
  const buf = writeCpio([{ path: "/wf/rt/0000.value", type: "file", data: "4096" }]);
  assert.equal(buf.length % 4, 0);
  const names = readCpio(buf).map((e) => e.name);
  assert.deepEqual(names, ["wf", "wf/rt", "wf/rt/0000.value"]);
  assert.equal(buf.toString("ascii", 0, 6), "070701");
  assert.ok(buf.includes(Buffer.from("TRAILER!!!")));
});

test("the same entries give the same bytes (cache keys depend on it)", () => {
  const e = [{ path: "/a/b", type: "file" as const, data: "x" }, { path: "/c", type: "symlink" as const, target: "a/b" }];
  assert.deepEqual(writeCpio(e), writeCpio(e));
});

test("GNU cpio reads our archive back with the exact content and modes", (t) => {
  const probe = spawnSync("cpio", ["--version"]);
  if (probe.status !== 0) return t.skip("cpio is not installed (Debian package cpio)");
  const dir = mkdtempSync(join(tmpdir(), "wf-cpio-"));
  try {
    const data = Buffer.from([0, 1, 2, 255, 10, 36, 40]);
    const archive = writeCpio([
      { path: "/etc/app.conf", type: "file", data: "port 1\n" },
      { path: "/bin/tool", type: "file", data, mode: 0o755 },
      { path: "/bin/link", type: "symlink", target: "tool" },
    ]);
    writeFileSync(join(dir, "a.cpio"), archive);
    const r = spawnSync("sh", ["-c", "cpio -idm --quiet < a.cpio"], { cwd: dir });
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(readFileSync(join(dir, "etc/app.conf"), "utf8"), "port 1\n");
    assert.deepEqual(readFileSync(join(dir, "bin/tool")), data);
    assert.equal(spawnSync("stat", ["-c", "%a", join(dir, "bin/tool")], { encoding: "utf8" }).stdout.trim(), "755");
    assert.equal(spawnSync("readlink", [join(dir, "bin/link")], { encoding: "utf8" }).stdout.trim(), "tool");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("paths that could escape the root are refused", () => {
  assert.throws(() => writeCpio([{ path: "/wf/../../etc/passwd", type: "file", data: "" }]), /without "\.\."/);
  assert.throws(() => writeCpio([{ path: "/a\nb", type: "file", data: "" }]), /newline/);
});

test("an appended segment starts on a 4-byte boundary", () => {
  for (const n of [5, 6, 7, 8]) {
    const joined = appendInitrd(Buffer.alloc(n, 1), Buffer.from("070701"));
    assert.equal(joined.indexOf("070701") % 4, 0);
    assert.equal(joined.length, Math.ceil(n / 4) * 4 + 6);
  }
});
