// `wayfinder figures` regenerates the committed figures: a few of them are rebuilt here into a temporary
// folder and compared with figures/ (SVG byte for byte; PNG by size, since rasterisation may differ
// with another Chromium build even when the figure is the same).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageInfo } from "../../lib/plots";

const root = join(import.meta.dirname, "../..");

test("wayfinder figures --only rebuilds figures identical to the committed ones", { timeout: 300_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), "wf-figures-"));
  try {
    const names = ["fig07a-time", "fig09-unikraft-nginx", "fig10-riscv", "deeptune-ablation-npb"];
    const r = spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), "figures", "--out", out, ...names.flatMap((n) => ["--only", n])], {
      encoding: "utf8",
      cwd: root,
      timeout: 280_000,
    });
    assert.equal(r.status, 0, r.stderr);
    for (const name of names) {
      for (const ext of ["svg", "png"]) {
        const fresh = join(out, `${name}.${ext}`);
        const committed = join(root, "figures", `${name}.${ext}`);
        assert.ok(existsSync(fresh), `${fresh} was not written`);
        const info = imageInfo(fresh);
        assert.equal(info.format, ext);
        assert.ok(existsSync(committed), `${committed} is missing: run wayfinder figures and commit figures/`);
        assert.deepEqual(imageInfo(committed), info, `${name}.${ext}: size differs from the committed file`);
        if (ext === "svg") assert.ok(readFileSync(fresh).equals(readFileSync(committed)), `${name}.svg differs from the committed file: run wayfinder figures`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("wayfinder figures rejects an unknown figure name and a bad format", () => {
  const run = (...a: string[]) => spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), "figures", ...a], { encoding: "utf8", cwd: root, timeout: 60_000 });
  const none = run("--only", "fig99", "--out", tmpdir());
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no figure matches "fig99"/);
  const fmt = run("--formats", "gif");
  assert.equal(fmt.status, 2);
  assert.match(fmt.stderr, /"gif" is not a format/);
});
