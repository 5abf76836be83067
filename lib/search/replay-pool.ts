/**
 * A recorded dataset prepared as a replay oracle: its space (as the pool shows it), its rows as
 * configurations with their recorded outcome, and the pool's own statistics (best, median) that the
 * metrics are relative to.
 */
import { datasetRows } from "../datasets/dataset-rows";
import type { Dataset, Direction } from "../datasets/types";
import { WayfinderError } from "../errors";
import { spaceFromDataset } from "../space/space-from-dataset";
import type { Space } from "../space/space";
import type { Config } from "./searcher";
import { testTimeFor, type TestTimeModel } from "./test-time";

export interface ReplayPool {
  name: string;
  space: Space;
  direction: Direction;
  /** Objective name and unit, for reports. */
  objective: string;
  unit?: string;
  configs: Config[];
  /** Recorded objective per row, null when the row crashed. */
  values: (number | null)[];
  /** Best and median of the non-crashed rows. */
  best: number;
  median: number;
  crashRate: number;
  testTime: TestTimeModel;
}

export function replayPool(dataset: Dataset, name = dataset.schema.provenance.source): ReplayPool {
  const { schema } = dataset;
  if (!schema.objective?.name) throw new WayfinderError(`${name}: the dataset has no objective column; give one with --objective <column>`);
  const rows = datasetRows(dataset);
  if (rows.length === 0) throw new WayfinderError(`${name}: the dataset has no rows`);
  const values = rows.map((r) => (r.crashed || r.objective === null || !Number.isFinite(r.objective) ? null : r.objective));
  const ok = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (ok.length === 0) throw new WayfinderError(`${name}: every row is a crash, so there is nothing to search for`);
  const direction = schema.objective.direction;
  const best = direction === "max" ? ok[ok.length - 1] : ok[0];
  const median = ok.length % 2 ? ok[(ok.length - 1) / 2] : (ok[ok.length / 2 - 1] + ok[ok.length / 2]) / 2;
  return {
    name,
    space: spaceFromDataset(dataset),
    direction,
    objective: schema.objective.name,
    unit: schema.objective.unit,
    configs: rows.map((r) => r.config),
    values,
    best,
    median,
    crashRate: 1 - ok.length / rows.length,
    testTime: testTimeFor(schema.provenance.app),
  };
}
