/**
 * Histogram binning of a numeric feature matrix: each column becomes ordered bins stored as a
 * column-major Uint16Array of codes. Split search then works on bin histograms instead of sorting the
 * samples at every node, which is what makes the forest fast enough in plain JavaScript.
 *
 * A column with at most `maxBins` distinct values (default 65536, so every column of a permutation
 * dataset) gets one bin per value, so splits are exactly those scikit-learn can make (thresholds halfway
 * between consecutive distinct values). Only wider columns, or a smaller `maxBins` asked for speed, are
 * cut at quantiles of their values (every row counts once), again with thresholds halfway between the
 * last value of a bin and the first value of the next. Coarse bins are not a harmless speed-up for
 * importance: a fully grown tree then cannot separate rows that share a bin, which lowers the impurity
 * importance of wide numeric columns against narrow ones (on the redis pool, 256 bins moved its
 * rank agreement with scikit-learn visibly).
 */
import { fail, quote } from "../errors";

/** A numeric feature matrix, one Float64Array (or number array) per feature, all of the same length. */
export interface FeatureMatrix {
  names: string[];
  columns: ArrayLike<number>[];
}

export interface BinnedMatrix {
  names: string[];
  rows: number;
  /** codes[f][row] = bin of row in feature f. */
  codes: Uint16Array[];
  /** Number of bins used by each feature (1 for a constant feature). */
  bins: Uint32Array;
  /** edges[f][b] = the value separating bin b from bin b + 1 (length bins[f] - 1). */
  edges: Float64Array[];
  /** lows[f][b] and highs[f][b]: the smallest and largest value of bin b (equal for an exact bin). */
  lows: Float64Array[];
  highs: Float64Array[];
}

export const MAX_BINS = 65536;

/** Check a matrix's shape and values; names the feature and row of the first bad cell. */
export function checkMatrix(matrix: FeatureMatrix, rows?: number): number {
  const { names, columns } = matrix;
  if (names.length !== columns.length)
    fail(`feature matrix has ${names.length} names but ${columns.length} columns; give one name per column`);
  if (columns.length === 0) fail("feature matrix has no columns; at least one feature is needed");
  const n = rows ?? columns[0].length;
  columns.forEach((col, f) => {
    if (col.length !== n)
      fail(`feature ${quote(names[f])} has ${col.length} rows but ${n} were expected; all columns must have the same length`);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(col[i]))
        fail(`feature ${quote(names[f])} row ${i} holds ${quote(col[i])}; the forest needs finite numbers (encode blanks and categories first)`);
  });
  return n;
}

function binColumn(col: ArrayLike<number>, maxBins: number): { codes: Uint16Array; edges: Float64Array; lows: Float64Array; highs: Float64Array } {
  const n = col.length;
  const sorted = Float64Array.from(col).sort();
  // distinct values and how many rows hold each
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (values.length > 0 && sorted[i] === values[values.length - 1]) counts[counts.length - 1]++;
    else {
      values.push(sorted[i]);
      counts.push(1);
    }
  }
  const edges: number[] = [];
  if (values.length <= maxBins) {
    for (let k = 0; k + 1 < values.length; k++) edges.push(values[k] + (values[k + 1] - values[k]) / 2);
  } else {
    // close a bin once the running row count passes the next quantile mark
    let seen = 0;
    for (let k = 0; k + 1 < values.length && edges.length < maxBins - 1; k++) {
      seen += counts[k];
      if (seen >= ((edges.length + 1) * n) / maxBins) edges.push(values[k] + (values[k + 1] - values[k]) / 2);
    }
  }
  const e = Float64Array.from(edges);
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) codes[i] = binOf(e, col[i]);
  const lows = new Float64Array(e.length + 1);
  const highs = new Float64Array(e.length + 1);
  for (let k = 0, b = -1; k < values.length; k++) {
    const bin = binOf(e, values[k]);
    if (bin !== b) lows[bin] = values[k];
    highs[bin] = values[k];
    b = bin;
  }
  return { codes, edges: e, lows, highs };
}

/** The bin of a value given a feature's edges: the number of edges strictly below it (value <= edge goes left). */
export function binOf(edges: Float64Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function binMatrix(matrix: FeatureMatrix, maxBins = MAX_BINS): BinnedMatrix {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS)
    fail(`maxBins ${quote(maxBins)} is invalid; use an integer from 2 to ${MAX_BINS}`);
  const rows = checkMatrix(matrix);
  const codes: Uint16Array[] = [];
  const edges: Float64Array[] = [];
  const lows: Float64Array[] = [];
  const highs: Float64Array[] = [];
  const bins = new Uint32Array(matrix.columns.length);
  matrix.columns.forEach((col, f) => {
    const b = binColumn(col, maxBins);
    codes.push(b.codes);
    edges.push(b.edges);
    lows.push(b.lows);
    highs.push(b.highs);
    bins[f] = b.edges.length + 1;
  });
  return { names: matrix.names.slice(), rows, codes, bins, edges, lows, highs };
}

/** Codes of new rows under an existing binning (for prediction on data the forest was not fitted on). */
export function applyBins(binned: BinnedMatrix, matrix: FeatureMatrix): Uint16Array[] {
  if (matrix.columns.length !== binned.codes.length)
    fail(`matrix has ${matrix.columns.length} features but the forest was fitted on ${binned.codes.length}`);
  checkMatrix(matrix);
  return matrix.columns.map((col, f) => {
    const out = new Uint16Array(col.length);
    for (let i = 0; i < col.length; i++) out[i] = binOf(binned.edges[f], col[i]);
    return out;
  });
}
