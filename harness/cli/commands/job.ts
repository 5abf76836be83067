/**
 * wayfinder job validate <file...>: check job files (structure against harness/jobs/job.schema.json,
 * then meaning: conditions, pinned values, defaults) and print every problem as file:line:column.
 * wayfinder job import <original-wayfinder-job.yaml> [--strict] [--only-as-fixed]: read a job file of the
 * original Wayfinder and print the space it maps to and every quirk that had to be resolved.
 */
import { WayfinderError, quote } from "../../../lib/errors";
import { loadJob } from "../../jobs/job";
import { formatQuirk, readWayfinderJob } from "../../jobs/wayfinder-job";

export const summary = "job validate <file...> | job import <wayfinder-job.yaml>: check job files, import original ones";

const usage = `usage: wayfinder job validate <file...>
       wayfinder job import <original-wayfinder-job.yaml> [--strict] [--only-as-fixed] [--json]`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    console.log(usage);
    return sub ? 0 : 2;
  }
  if (sub === "validate") {
    if (rest.length === 0) throw new WayfinderError(`job validate needs at least one file\n${usage}`);
    let bad = 0;
    for (const file of rest) {
      try {
        const job = loadJob(file);
        console.log(`${file}: ok (${job.parameters.length} parameters, ${job.space.variedParameters().length} varied; objective ${job.objectives.map((o) => `${o.metric} ${o.direction}`).join(", ")})`);
      } catch (e) {
        if (!(e instanceof WayfinderError)) throw e;
        bad++;
        console.error(e.message);
      }
    }
    return bad ? 2 : 0;
  }
  if (sub === "import") {
    const flags = rest.filter((a) => a.startsWith("--"));
    const files = rest.filter((a) => !a.startsWith("--"));
    const unknown = flags.find((f) => !["--strict", "--only-as-fixed", "--json"].includes(f));
    if (unknown) throw new WayfinderError(`unknown option ${quote(unknown)} for job import\n${usage}`);
    if (files.length !== 1) throw new WayfinderError(`job import takes one file\n${usage}`);
    const job = readWayfinderJob(files[0], { strict: flags.includes("--strict"), onlyAsFixed: flags.includes("--only-as-fixed") });
    if (flags.includes("--json")) {
      console.log(JSON.stringify({ name: job.name, parameters: job.parameters, results: job.results, quirks: job.quirks.map((q) => formatQuirk(job.file, q)) }, null, 2));
      return 0;
    }
    const byPhase: Record<string, number> = {};
    for (const p of job.parameters) byPhase[p.phase] = (byPhase[p.phase] ?? 0) + 1;
    console.log(`${job.file}: ${job.name}: ${job.parameters.length} parameters (${Object.entries(byPhase).map(([k, v]) => `${v} ${k}`).join(", ")}), ${job.space.variedParameters().length} varied; results: ${job.results.map((r) => r.name).join(", ") || "none"}`);
    if (job.quirks.length) console.log(`${job.quirks.length} quirk(s):\n${job.quirks.map((q) => "  " + formatQuirk(job.file, q)).join("\n")}`);
    return 0;
  }
  throw new WayfinderError(`unknown job command ${quote(sub)}\n${usage}`);
}
