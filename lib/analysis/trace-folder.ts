/**
 * Reads the DeepTune runs of one artifact folder (plotting/fig.N_name/data or a *-tl sub-folder): every
 * acquisitions[_K].xlsx in acquisition order, paired with its timing log n_samples-mem-time[_K].csv,
 * and puts a time axis on each run: DeepTune's recorded update seconds plus a simulated test time per
 * evaluation (normal with the application's mean and deviation, seeded), as the paper's Fig. 6 did.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadDataset, loadTimingLog } from "../datasets/index";
import { fail } from "../errors";
import { Rng } from "../random";
import { drawTestTime, testTimeFor, type TestTimeModel } from "../search/test-time";
import { traceRun, updateSeconds, type TraceRun } from "./trace-run";

export interface TraceFolderOptions {
  /** Value column: "throughput_norm" (default, the figures' scale) or "throughput". */
  column?: string;
  /** Simulated test time per evaluation; default: lib/search/test-time.ts for the trace's application. */
  testTime?: TestTimeModel;
  seed?: number;
}

export interface TraceFolder {
  folder: string;
  app?: string;
  runs: TraceRun[];
  testTime: TestTimeModel;
  notes: string[];
}

export function loadTraceFolder(folder: string, options: TraceFolderOptions = {}): TraceFolder {
  if (!existsSync(folder)) fail(`${folder}: no such folder`);
  const files = readdirSync(folder)
    .filter((f) => /^acquisitions(_\d+)?\.xlsx$/.test(f))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0] ?? 0) - Number(/\d+/.exec(b)?.[0] ?? 0));
  if (files.length === 0) fail(`${folder}: no acquisitions*.xlsx file; expected the DeepTune traces of one figure`);
  const rng = new Rng(options.seed ?? 0);
  const notes: string[] = [];
  let app: string | undefined;
  let testTime = options.testTime;
  const runs = files.map((file) => {
    const ds = loadDataset(join(folder, file));
    app ??= ds.schema.provenance.app;
    testTime ??= testTimeFor(ds.schema.provenance.app);
    const run = traceRun(ds, { label: file.replace(/\.xlsx$/, ""), column: options.column ?? "throughput_norm" });
    const log = join(folder, file.replace(/^acquisitions/, "n_samples-mem-time").replace(/\.xlsx$/, ".csv"));
    let update: number[];
    if (existsSync(log)) {
      const u = updateSeconds(loadTimingLog(log).table, run.values.length);
      update = u.seconds;
      if (u.missing > 1) notes.push(`${file}: the timing log covers ${run.values.length - u.missing} of ${run.values.length} iterations; the others count no update time`);
    } else {
      update = run.values.map(() => 0);
      notes.push(`${file}: no timing log; update time counted as 0`);
    }
    const r = rng.fork();
    run.seconds = update.map((u) => u + drawTestTime(testTime!, r));
    return run;
  });
  return { folder, app, runs, testTime: testTime!, notes };
}

/** Simulated seconds for runs without a record (e.g. random baselines): one test time per evaluation. */
export function withSimulatedTime(runs: TraceRun[], testTime: TestTimeModel, seed = 0): TraceRun[] {
  const rng = new Rng(seed);
  return runs.map((run) => {
    const r = rng.fork();
    return { ...run, seconds: run.values.map(() => drawTestTime(testTime, r)) };
  });
}
