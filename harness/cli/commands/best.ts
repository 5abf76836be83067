/**
 * `wayfinder best <store>`: the best configuration of a study, as an engineer reviews and applies it —
 * a sysctl.conf fragment, the kernel command line and the application's config (a Unikraft study: the
 * Kconfig fragment, the unikernel's command line, its initrd files and the benchmark command), each as
 * a diff against the default — with the measured gain and whether it exceeds the repeat noise.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { WayfinderError, quote } from "../../../lib/errors";
import type { Config } from "../../../lib/search/searcher";
import { parseJob } from "../../jobs/job";
import { bestReport, type RenderedConfig } from "../../run/best-report";
import { evaluatorForJob } from "../../run/evaluator-for-job";
import { renderRunnableJobForReview, renderUnikraftForReview } from "../../run/render-for-review";
import { runnableJobFromText } from "../../run/runnable-job";
import { openStudyForReading } from "../open-study";

export const summary = "best <store>: the best configuration as sysctl/cmdline/app-config (or Kconfig) diffs against the default, with its gain";

const usage = `usage: wayfinder best <store> [--json] [--config-out FILE]
       wayfinder best postgres://... --study NAME [--json] [--config-out FILE]

Prints the best configuration of a study (a file written by wayfinder run) for review: the sysctl.conf
fragment, the kernel command line and the application config files, each as a diff against the default
configuration, and the gain over the default with a verdict on the repeat noise. For a Unikraft study
(target.kind: unikraft) it shows the Kconfig lines of the app's .config that differ, the unikernel's
command line, its initrd files and the host-side benchmark command instead; no checkout is needed. For
a Linux job that builds its kernel (target.build) it also shows the compile-time options as Kconfig
lines (CONFIG_X=y, CONFIG_X=17, # CONFIG_X is not set) that differ, with the kernel's arch and base;
no kernel source is needed.

options:
  --json              print the report as JSON
  --config-out FILE   also write the best configuration (all parameter values) as JSON
  --study NAME        the study, when the store is a PostgreSQL URL`;

/** How the study's job shows a configuration, by target kind (the job is re-read from the store). */
function reviewRenderer(jobText: string, jobPath: string): (c: Config) => RenderedConfig {
  const job = parseJob(jobText, jobPath);
  if (job.targetKind === "unikraft") {
    // Validates the target section as the run did; the evaluator it returns is never called (no checkout needed).
    const je = evaluatorForJob(job);
    if (je.kind !== "unikraft") throw new Error("unreachable: a unikraft job gave a linux evaluator");
    return renderUnikraftForReview(je.target, job.parameters.filter((p) => p.phase === "compile").map((p) => p.name));
  }
  return renderRunnableJobForReview(runnableJobFromText(jobText, jobPath));
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: "boolean" }, "config-out": { type: "string" }, study: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    throw new WayfinderError(`${(err as Error).message}; see wayfinder best --help`);
  }
  const { values: o, positionals } = parsed;
  if (o.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new WayfinderError(`best takes one store file, got ${positionals.length}; see wayfinder best --help`);
  const store = await openStudyForReading(positionals[0], o.study, "best");
  try {
    const info = store.info();
    const report = bestReport(info, store.evaluations(), reviewRenderer(info.jobText, info.jobPath), store.location);
    if (!report) {
      const n = store.evaluations().length;
      throw new WayfinderError(`store ${quote(store.location)} has no successful evaluation (${n} recorded): there is no best configuration`);
    }
    if (o["config-out"]) writeFileSync(o["config-out"], JSON.stringify(report.best.config, null, 2) + "\n");
    if (o.json) {
      const { text: _text, ...rest } = report;
      void _text;
      console.log(JSON.stringify(rest, null, 2));
    } else process.stdout.write(report.text);
    return 0;
  } finally {
    store.close();
  }
}
