import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFigures, imageInfo, similarityHeatmap } from "../../lib/plots";

test("figures export to valid SVG and PNG through headless Chromium, byte-identical for identical figures", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-export-"));
  try {
    const fig = similarityHeatmap({ labels: ["redis", "sqlite"], matrix: [[1, 0.45], [0.45, 1]] });
    const files = await exportFigures(
      [
        { name: "a", figure: fig, width: 420, height: 360 },
        { name: "b", figure: fig, width: 420, height: 360 },
      ],
      { outDir: dir },
    );
    assert.deepEqual(files.map((f) => `${f.name}.${f.format}`), ["a.svg", "a.png", "b.svg", "b.png"]);
    assert.deepEqual(imageInfo(join(dir, "a.svg")), { format: "svg", width: 420, height: 360 });
    assert.deepEqual(imageInfo(join(dir, "a.png")), { format: "png", width: 840, height: 720 });
    const svg = readFileSync(join(dir, "a.svg"), "utf8");
    assert.match(svg, />0\.450</, "the heatmap's cell values are drawn as text");
    assert.match(svg, />sqlite</);
    assert.ok(readFileSync(join(dir, "a.png")).equals(readFileSync(join(dir, "b.png"))), "PNG output is deterministic");
    assert.equal(svg, readFileSync(join(dir, "b.svg"), "utf8"), "SVG output is deterministic");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a figure holding NaN is refused before any browser starts", async () => {
  const fig = similarityHeatmap({ labels: ["a", "b"], matrix: [[1, NaN], [NaN, 1]] });
  await assert.rejects(exportFigures([{ name: "bad", figure: fig }], { outDir: tmpdir() }), /figure bad: trace 0 .* has NaN in z\[1\]/);
});

test("imageInfo rejects a file that is neither SVG nor PNG", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-img-"));
  try {
    const f = join(dir, "x.svg");
    writeFileSync(f, "hello");
    assert.throws(() => imageInfo(f), /neither a PNG nor an SVG/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
