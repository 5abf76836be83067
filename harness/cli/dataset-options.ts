/**
 * The options every command that reads a dataset accepts, parsed in one place so they mean the same
 * everywhere: --objective <column>, --direction max|min, --crash-marker <value> (repeatable; "none" for
 * no marker), --sheet <name>. Known artifact files need none of them; for any other file, whatever is not
 * given is either required or defaulted with a note in the dataset's provenance (see loadDataset).
 */
import { WayfinderError, quote } from "../../lib/errors";
import type { LoadOptions } from "../../lib/datasets";

export const datasetOptionsHelp = [
  "  --objective <column>     objective column of the file (default for unknown files: a column named throughput)",
  "  --direction max|min      whether higher (max) or lower (min) objective values are better",
  "  --crash-marker <value>   objective value that marks a crashed run; repeatable; 'none' for no marker",
  "  --sheet <name>           sheet of an .xlsx workbook (default: its only sheet, or Sheet1)",
].join("\n");

const flags = new Set(["--objective", "--direction", "--crash-marker", "--sheet"]);

/**
 * Take the dataset options out of `argv`; the other arguments come back in `rest`, in order. A flag's
 * value may follow it or be attached with "=" (needed for nothing, but --crash-marker=-1 reads well).
 */
export function parseDatasetOptions(argv: readonly string[]): { options: LoadOptions; rest: string[] } {
  const options: LoadOptions = {};
  const rest: string[] = [];
  let markers: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!flags.has(flag)) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      // The next argument is the value even when it starts with "-": crash markers are often "-1".
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === "") throw new WayfinderError(`${flag} needs a value`);
    switch (flag) {
      case "--objective":
        options.objective = value;
        break;
      case "--direction":
        if (value !== "max" && value !== "min") throw new WayfinderError(`--direction ${quote(value)}: expected max or min`);
        options.direction = value;
        break;
      case "--crash-marker":
        markers ??= [];
        if (value !== "none") markers.push(value);
        break;
      case "--sheet":
        options.sheet = value;
        break;
    }
  }
  if (markers !== undefined) options.crashMarkers = markers;
  return { options, rest };
}
