/**
 * wayfinder import-job <original-wayfinder-job.yaml> [--out job.yaml] [--force]: convert a Unikraft job
 * file of the original Wayfinder into this project's job format (a `kind: unikraft` target, Kconfig
 * parameters as compile-time ones), writing what could not be converted as comments at the top of the
 * output and on stderr. The result is checked with the project's own job reader and target validator
 * before it is written. (`wayfinder job import` prints how any original job maps onto a space.)
 */
import { existsSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { WayfinderError, quote } from "../../../lib/errors";
import { parseJob } from "../../jobs/job";
import { formatQuirk, readWayfinderJob } from "../../jobs/wayfinder-job";
import { convertWayfinderUnikraftJob } from "../../unikraft/import-wayfinder-unikraft";
import { validateUnikraftTarget } from "../../unikraft/validate-unikraft-target";

export const summary = "import-job <wayfinder-job.yaml> [--out file]: convert an original Wayfinder Unikraft job to our format";

const usage = `usage: wayfinder import-job <original-wayfinder-job.yaml> [--out our-job.yaml] [--force]
  Converts an original Wayfinder Unikraft job (e.g. ../shared/wayfinder-jobs/unikraft-nginx/simple-job.yaml).
  Without --out the job is printed; what could not be converted is listed on stderr and in the file's header.`;

/** The converted job as YAML text, with the unconverted items and the reader's quirks as a header. */
export function importJobText(file: string): { text: string; unconverted: string[]; quirks: string[] } {
  const imp = readWayfinderJob(file);
  const conv = convertWayfinderUnikraftJob(imp);
  const quirks = imp.quirks.map((q) => formatQuirk(imp.file, q));
  const header = [
    `# Converted by \`wayfinder import-job\` from ${file}.`,
    ...(conv.unconverted.length ? ["# Not converted, or converted by assumption:", ...conv.unconverted.map((n) => `#  - ${n.replace(/\n/g, " ")}`)] : []),
    ...(quirks.length ? ["# Quirks of the original file:", ...quirks.map((q) => `#  - ${q}`)] : []),
  ].join("\n");
  const text = `${header}\n${stringify(conv.job, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  // The conversion must give a file this project reads: a failure here is a bug of the converter.
  const job = parseJob(text, "<converted job>");
  validateUnikraftTarget(job.target, { objective: job.objectives[0]!.metric, params: job.parameters.map((p) => ({ name: p.name, phase: p.phase })) });
  return { text, unconverted: conv.unconverted, quirks };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  let out: string | undefined;
  let force = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--out") {
      out = argv[++i];
      if (!out) throw new WayfinderError(`--out needs a file name\n${usage}`);
    } else if (a === "--force") force = true;
    else if (a.startsWith("--")) throw new WayfinderError(`unknown option ${quote(a)} for import-job\n${usage}`);
    else files.push(a);
  }
  if (files.length !== 1) throw new WayfinderError(`import-job takes one original job file, got ${files.length}\n${usage}`);
  const { text, unconverted, quirks } = importJobText(files[0]!);
  if (out) {
    if (existsSync(out) && !force) throw new WayfinderError(`${out} exists; give --force to overwrite it`);
    writeFileSync(out, text);
    console.error(`wrote ${out}`);
  } else process.stdout.write(text);
  if (unconverted.length) console.error(`${unconverted.length} item(s) not converted or converted by assumption:\n${unconverted.map((n) => `  - ${n}`).join("\n")}`);
  if (quirks.length) console.error(`${quirks.length} quirk(s) of the original file:\n${quirks.map((q) => `  - ${q}`).join("\n")}`);
  return 0;
}
