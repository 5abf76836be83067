/**
 * `wayfinder figures [--out DIR] [--only SUBSTRING] [--formats svg,png] [--artifact DIR]`: rebuilds every
 * static figure of the paper's evaluation from the artifact's datasets (lib/plots/paper-figures.ts) and
 * exports them as SVG and PNG through one headless Chromium. The committed files in figures/ are what
 * this command writes.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { WayfinderError, quote } from "../../../lib/errors";
import {
  artifactPaths, costComparisonFigures, exportFigures, figure5, figure6, figure7, figure8, figure9, figure10, figure11, FIG6_APPS, table2, table2Figure,
  COST_DATA_FILE, readMeasuredCost, ABLATION_DATA_FILE, ablationHeatmaps, type ImageFormat, type NamedFigure,
} from "../../../lib/plots";
import { readAblation } from "../../../lib/deeptune/ablation-grid";

export const summary = "figures: regenerate the paper's figures from the artifact datasets into figures/ (SVG + PNG)";

const root = join(import.meta.dirname, "..", "..", "..");

const usage = `usage: wayfinder figures [options]

Rebuilds Fig. 5-11 and a chart of Table 2 from the artifact's datasets, plus our DeepTune cost curve beside the\npaper's when figures/data/deeptune-cost.json exists (wayfinder bench deeptune) and the alpha x gamma heatmaps\nwhen figures/data/deeptune-ablation.json exists (wayfinder deeptune ablation), and writes <name>.svg and <name>.png for each.

options:
  --out DIR            output folder (default: figures/ of the repository)
  --only TEXT          only figures whose name contains TEXT (repeatable)
  --formats LIST       svg,png (default both)
  --artifact DIR       the artifact's dataset folder (default ../shared/datasets/wayfinder-ae from the repository)`;

export async function run(argv: string[]): Promise<number> {
  let out = join(root, "figures");
  let artifact = process.env.WAYFINDER_AE ?? join(root, "..", "shared", "datasets", "wayfinder-ae");
  let formats: ImageFormat[] = ["svg", "png"];
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined || x === "") throw new WayfinderError(`${a} needs a value`);
      return x;
    };
    if (a === "--help" || a === "-h") {
      console.log(usage);
      return 0;
    } else if (a === "--out") out = v();
    else if (a === "--artifact") artifact = v();
    else if (a === "--only") only.push(v());
    else if (a === "--formats") {
      const list = v().split(",");
      const bad = list.find((f) => f !== "svg" && f !== "png");
      if (bad !== undefined) throw new WayfinderError(`--formats: ${quote(bad)} is not a format; use svg, png or svg,png`);
      formats = list as ImageFormat[];
    } else throw new WayfinderError(`unknown option ${quote(a)} for figures; see wayfinder figures --help`);
  }
  const started = Date.now();
  const paths = artifactPaths(artifact);
  const wanted = (name: string) => only.length === 0 || only.some((o) => name.includes(o));
  // Build lazily so --only skips the work (the Fig. 5 forests take most of the time).
  const builders: Array<[string[], () => NamedFigure[]]> = [
    [["fig05-similarity-published", "fig05-similarity-pools"], () => figure5(paths, { pools: wanted("fig05-similarity-pools") }).figures],
    ...FIG6_APPS.map((app): [string[], () => NamedFigure[]] => [[`fig06${"abcd"[FIG6_APPS.indexOf(app)]}-${app}`], () => [figure6(paths, app).figure]]),
    [["fig07a-time", "fig07b-memory"], () => figure7(paths).figures],
    [["fig08-deeptune-cost"], () => [figure8(paths).figure]],
    [["fig09-unikraft-nginx"], () => [figure9(paths).figure]],
    [["fig10-riscv"], () => [figure10(paths).figure]],
    [["fig11-multiobjective"], () => [figure11(paths).figure]],
    [["table2-iterations-to-best"], () => [table2Figure(table2(paths))]],
  ];
  // Our own cost curve beside the paper's, once `wayfinder bench deeptune` has measured it.
  const costData = join(root, COST_DATA_FILE);
  if (existsSync(costData))
    builders.push([["deeptune-cost-time", "deeptune-cost-memory"], () => costComparisonFigures(readMeasuredCost(costData), figure7(paths).deeptune)]);
  // Our alpha x gamma ablation, once `wayfinder deeptune ablation` has run (one figure per pool).
  const ablationData = join(root, ABLATION_DATA_FILE);
  if (existsSync(ablationData)) {
    const ablation = readAblation(ablationData);
    builders.push([ablation.pools.map((p) => `deeptune-ablation-${p.name}`), () => ablationHeatmaps(ablation)]);
  }
  const figures: NamedFigure[] = [];
  for (const [names, build] of builders) {
    if (!names.some(wanted)) continue;
    const t = Date.now();
    const built = build().filter((f) => wanted(f.name));
    figures.push(...built);
    console.error(`built ${built.map((f) => f.name).join(", ")} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  if (figures.length === 0) throw new WayfinderError(`no figure matches ${only.map((o) => quote(o)).join(", ")}`);
  const files = await exportFigures(figures, { outDir: out, formats });
  for (const f of files) console.log(`${relative(process.cwd(), f.path) || f.path}  ${f.bytes} bytes`);
  console.error(`${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
