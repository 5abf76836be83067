/**
 * Static export of plotly figures to SVG and PNG through headless Chromium (Debian's `chromium`, driven
 * by playwright-core): plotly.js cannot render without a browser. One browser serves a whole batch;
 * every network request is aborted (plotly is injected from node_modules), and Math.random is replaced by
 * a seeded generator before each figure so plotly's internal ids, hence the files, are the same on every
 * run.
 */
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { fail } from "../errors";
import type { NamedFigure } from "./figure";

export type ImageFormat = "svg" | "png";

export interface ExportOptions {
  outDir: string;
  formats?: ImageFormat[];
  /** Default /usr/bin/chromium (Debian package chromium). */
  chromiumPath?: string;
  /** plotly.min.js; default: resolved from node_modules above the working directory. */
  plotlyPath?: string;
  /** PNG pixel scale (default 2, for print). */
  scale?: number;
}

export interface ExportedFile {
  name: string;
  format: ImageFormat;
  path: string;
  bytes: number;
}

// Flags that keep Chromium from phoning home or needing a GPU/sandbox in containers.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--font-render-hinting=none",
];

/** A seeded replacement for Math.random installed in the page (mulberry32), reset per figure. */
const SEEDED_RANDOM = `
(() => {
  let s = 0;
  window.__wfSeed = (seed) => { s = seed >>> 0; };
  Math.random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();`;

export function defaultPlotlyPath(): string {
  try {
    return createRequire(join(process.cwd(), "noop.js")).resolve("plotly.js/dist/plotly.min.js");
  } catch {
    return fail("cannot find plotly.js/dist/plotly.min.js from the working directory; run inside the project or pass plotlyPath");
  }
}

export async function exportFigures(figures: NamedFigure[], options: ExportOptions): Promise<ExportedFile[]> {
  const formats = options.formats ?? ["svg", "png"];
  for (const f of formats) if (f !== "svg" && f !== "png") fail(`image format ${JSON.stringify(f)} is invalid; use "svg" or "png"`);
  const names = new Set<string>();
  for (const f of figures) {
    if (!/^[A-Za-z0-9._-]+$/.test(f.name)) fail(`figure name ${JSON.stringify(f.name)} is invalid; use letters, digits, ".", "_" and "-"`);
    if (names.has(f.name)) fail(`two figures are named ${JSON.stringify(f.name)}`);
    names.add(f.name);
    checkFinite(f);
  }
  const executablePath = options.chromiumPath ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) fail(`${executablePath} not found; install Debian's chromium package (apt-get install chromium)`);
  const plotlyPath = options.plotlyPath ?? defaultPlotlyPath();
  const plotly = readFileSync(plotlyPath, "utf8");
  mkdirSync(options.outDir, { recursive: true });

  const browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
  const out: ExportedFile[] = [];
  try {
    const context = await browser.newContext({ deviceScaleFactor: 1 });
    await context.route("**/*", (route) => route.abort());
    const page = await context.newPage();
    await page.setContent('<!doctype html><html><body style="margin:0"><div id="wf"></div></body></html>');
    // before plotly, so plotly never sees the browser's own Math.random
    await page.addScriptTag({ content: SEEDED_RANDOM });
    await page.addScriptTag({ content: plotly });
    for (const { name, figure, width = 800, height = 500 } of figures) {
      for (const format of formats) {
        const url = await page.evaluate(
          async ({ figure, width, height, format, scale }) => {
            // globalThis, not window/document: the notebook kernel type-checks lib/ without the DOM library
            const w = globalThis as unknown as { __wfSeed(s: number): void; Plotly: any; document: { getElementById(id: string): unknown } };
            w.__wfSeed(12345);
            const gd = w.document.getElementById("wf");
            await w.Plotly.newPlot(gd, figure.data, { ...figure.layout, width, height }, { staticPlot: true });
            const img: string = await w.Plotly.toImage(gd, { format, width, height, scale: format === "png" ? scale : 1 });
            w.Plotly.purge(gd);
            return img;
          },
          { figure, width, height, format, scale: options.scale ?? 2 },
        );
        const bytes = decodeDataUrl(url, format);
        const path = join(options.outDir, `${name}.${format}`);
        const tmp = `${path}.tmp-${process.pid}`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, path);
        out.push({ name, format, path, bytes: bytes.length });
      }
    }
    await context.close();
  } finally {
    await browser.close();
  }
  return out;
}

function decodeDataUrl(url: string, format: ImageFormat): Buffer {
  const comma = url.indexOf(",");
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (format === "svg") {
    if (!head.startsWith("data:image/svg+xml")) fail(`plotly returned ${head} for an SVG export`);
    return Buffer.from(head.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body), "utf8");
  }
  if (!head.startsWith("data:image/png;base64")) fail(`plotly returned ${head} for a PNG export`);
  return Buffer.from(body, "base64");
}

/** Refuse figures with NaN/Infinity in their numeric arrays: they would draw silently broken lines. */
function checkFinite(f: NamedFigure): void {
  f.figure.data.forEach((trace, t) => {
    for (const key of ["x", "y", "z"]) {
      const arr = trace[key];
      if (!Array.isArray(arr)) continue;
      const flat = (arr as unknown[]).flat(2);
      const i = flat.findIndex((v) => typeof v === "number" && !Number.isFinite(v));
      if (i >= 0) fail(`figure ${f.name}: trace ${t} (${String(trace.name ?? trace.type ?? "")}) has ${flat[i]} in ${key}[${i}]; figures must hold finite numbers (use null for gaps)`);
    }
  });
}
