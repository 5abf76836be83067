/**
 * `wayfinder export <store> --out <file.csv>`: a study as a dataset in the project's own format (CSV +
 * JSON sidecar), so the analysis notebooks read harness runs exactly like the paper's pools.
 */
import { parseArgs } from "node:util";
import type { Phase } from "../../../lib/datasets/types";
import { WayfinderError } from "../../../lib/errors";
import { summarizeDataset, writeDataset } from "../../../lib/datasets";
import { parseJob } from "../../jobs/job";
import { studyToDataset } from "../../run/study-dataset";
import { openStudyForReading } from "../open-study";

export const summary = "export <store> --out <file.csv>: write a study as a dataset (CSV + schema sidecar) for analysis";

const usage = `usage: wayfinder export <store> --out <file.csv>
       wayfinder export postgres://... --study NAME --out <file.csv>

Writes one row per finished evaluation (perm_id = position in the study, 0 = default configuration):
the objective (empty when the evaluation failed), the crash flag, one column per parameter, the failure
phase, the repeat spread and timings; plus <file>.schema.json describing the columns.`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: "string" }, study: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (err) {
    throw new WayfinderError(`${(err as Error).message}; see wayfinder export --help`);
  }
  const { values: o, positionals } = parsed;
  if (o.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new WayfinderError(`export takes one store file, got ${positionals.length}; see wayfinder export --help`);
  if (!o.out) throw new WayfinderError("export needs --out <file.csv>");
  const store = await openStudyForReading(positionals[0], o.study, "export");
  try {
    const info = store.info();
    const phases: Record<string, Phase> = {};
    for (const p of parseJob(info.jobText, info.jobPath).parameters) phases[p.name] = p.phase;
    const dataset = studyToDataset(info, store.evaluations(), { source: store.location, phases });
    const files = writeDataset(dataset, o.out);
    const s = summarizeDataset(dataset);
    console.log(`wrote ${files.data} and ${files.schema}: ${s.rows} evaluations, ${s.crashed} failed, best ${s.best ?? "-"} (${info.objective}, ${info.direction})`);
    return 0;
  } finally {
    store.close();
  }
}
