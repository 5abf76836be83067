/**
 * A sparse linear crash model beside the network: L1-regularised logistic regression of "crashed" on
 * the encoded columns, fitted by FISTA (Beck & Teboulle 2009) on the whole history at every update,
 * warm-started from the previous fit.
 *
 * Why it exists: crashes in the recorded Linux pools hinge on one or two parameters (`ICMP_RATELIMIT`'s
 * sign as a C int: the half of the pool where it is negative crashes 0-6 % of the time, the other half
 * about 50 %), and a search has 20-100 rows to find that out among ~450 columns. With more columns than
 * rows many weight vectors fit the labels; an L2 penalty (and the network, which is L2-like in effect)
 * spreads the weight over all of them, an L1 penalty picks the few that carry the signal. Measured with
 * scikit-learn on random rows of the redis pool (the 15 % of the other rows a model calls safest): at 50
 * rows L2 logistic regression's picks crash 24 % of the time, L1's (C = 0.3) 6.6 %; at 100 rows 22 % against
 * 1 %. The network's own crash output learns the same boundary only after 100-150 iterations.
 *
 * Penalty: mean log-loss + (l1 / n) * sum_j f_j |w_j - anchor_j|, i.e. liblinear's C = 1 / l1 with the loss
 * summed, so the prior's weight against the data shrinks as the history grows; f_j is 1 except for the
 * encoder's 32-bit wrap columns (wrapPenaltyFactors). The intercept is not penalised. The anchor is zero,
 * or a source model's weights after transfer learning (L1-SP: known columns are pulled towards what the
 * source learned, as in the network's penalties).
 *
 * DeepTuneModel mixes its probability with the network's (the searcher sets the mixture's weights from
 * how well each predicted the outcomes of its recent picks). Until the history holds both a crash and a
 * success a fresh sparse model is not fitted and the network's probability stands; a transferred one
 * keeps the source's weights until then.
 */
import { fail } from "../errors";

/** Suffix of the encoder's 32-bit wrap columns (encoder.ts: the value's low 32 bits read as a negative int). */
const WRAP_SUFFIX = "#neg32";

/**
 * Penalty factors for a prior on the encoder's wrap columns: `factor` for every `NAME#neg32` column, 1 for
 * the others; null when factor is 1 (no prior) or there is no wrap column.
 *
 * Why: a value that overflows the C int a sysctl handler parses it into is a classic way to break a
 * kernel, so a wrap column is a likelier crash cause a priori than any one of the hundreds of ordinary
 * columns. Without the prior, the pools' one real cause (`ICMP_RATELIMIT#neg32`) competes with ~310 columns
 * and the model picks it only after 60-80 rows, having picked chance correlates before; with it, it competes
 * mostly with the other 24 wrap columns and is found after about 40 (trace on the hpc pool, seed 1). A wrap
 * column that carries no signal still has to earn its weight against a (smaller) penalty.
 */
export function wrapPenaltyFactors(columns: readonly string[], factor: number): Float64Array | null {
  if (factor === 1 || !columns.some((c) => c.endsWith(WRAP_SUFFIX))) return null;
  return Float64Array.from(columns, (c) => (c.endsWith(WRAP_SUFFIX) ? factor : 1));
}

/** FISTA iterations of a cold fit, and at most of a warm-started one. */
const COLD_ITERATIONS = 300;
const WARM_ITERATIONS = 40;
/**
 * A fit stops early once no weight moved by more than this in an iteration: after one new row the warm
 * start is nearly optimal, and each iteration costs two passes over the history (0.3 s for 40 at 2000 rows).
 */
const TOLERANCE = 1e-5;

export interface SparseCrashState {
  weights: number[];
  bias: number;
  fitted: boolean;
}

export class SparseCrashModel {
  readonly w: Float64Array;
  /** Factor on the L1 penalty per column. */
  readonly penalty: Float64Array;
  b = 0;
  /** False until a history with both crashes and successes has been fitted. */
  fitted = false;
  private anchor: Float64Array | null = null;
  // The step size's Lipschitz constant, re-estimated when the history has grown by a tenth.
  private lipschitzCache: { rows: number; value: number } | null = null;

  constructor(
    readonly width: number,
    /** Total L1 penalty over the history (liblinear's 1 / C); the per-row penalty is l1 / n. */
    readonly l1: number,
    /** Per-column factor on the penalty (default 1 for every column); see wrapPenaltyFactors. */
    penaltyFactors?: ArrayLike<number>,
  ) {
    if (!Number.isInteger(width) || width < 1) fail(`sparse crash model: width must be a positive integer, got ${width}`);
    if (!(l1 > 0) || !Number.isFinite(l1)) fail(`sparse crash model: l1 must be a number > 0, got ${l1}`);
    this.w = new Float64Array(width);
    this.penalty = penaltyFactors ? Float64Array.from(penaltyFactors) : new Float64Array(width).fill(1);
    if (this.penalty.length !== width) fail(`sparse crash model: ${this.penalty.length} penalty factors for ${width} columns`);
    const bad = this.penalty.findIndex((f) => !(f > 0) || !Number.isFinite(f));
    if (bad >= 0) fail(`sparse crash model: penalty factor of column ${bad} is ${this.penalty[bad]}; expected a number > 0`);
  }

  /** Pull the weights of the columns marked `known` towards their current values instead of zero. */
  anchorAtCurrentWeights(known: readonly boolean[]): void {
    this.anchor = Float64Array.from(this.w, (v, j) => (known[j] ? v : 0));
  }

  /**
   * Fit on row-major x [rows, width] and crash labels. Warm-starts from the previous weights; the step
   * is 1 / L with L = 0.25 * the largest eigenvalue of [X 1]^T [X 1] / n (power iteration), the
   * logistic loss's Lipschitz constant.
   */
  fit(x: Float32Array, rows: number, crashed: ArrayLike<boolean | number>): void {
    const d = this.width;
    if (x.length < rows * d) fail(`sparse crash model: ${rows} rows of width ${d} need ${rows * d} values, got ${x.length}`);
    let crashes = 0;
    for (let i = 0; i < rows; i++) if (crashed[i]) crashes++;
    // Nothing separates crashes from runs: keep what the model knows (nothing, or a transferred
    // model's weights) until the history holds both.
    if (crashes === 0 || crashes === rows) return;
    const cold = !this.fitted && this.w.every((v) => v === 0);
    if (cold) this.b = Math.log(crashes / (rows - crashes));
    if (!this.lipschitzCache || rows > this.lipschitzCache.rows * 1.1 || rows < this.lipschitzCache.rows)
      this.lipschitzCache = { rows, value: this.lipschitz(x, rows) };
    const step = 1 / this.lipschitzCache.value;
    const lambda = (this.l1 / rows) * step;
    const anchor = this.anchor;
    // FISTA: y is the extrapolated point, (w, b) the iterate.
    const yw = Float64Array.from(this.w);
    let yb = this.b;
    const prevW = Float64Array.from(this.w);
    let prevB = this.b;
    const g = new Float64Array(d);
    let t = 1;
    const iterations = cold ? COLD_ITERATIONS : WARM_ITERATIONS;
    for (let it = 0; it < iterations; it++) {
      g.fill(0);
      let gb = 0;
      for (let i = 0, off = 0; i < rows; i++, off += d) {
        let z = yb;
        for (let j = 0; j < d; j++) z += yw[j] * x[off + j];
        const r = 1 / (1 + Math.exp(-z)) - (crashed[i] ? 1 : 0);
        if (r === 0) continue;
        for (let j = 0; j < d; j++) g[j] += r * x[off + j];
        gb += r;
      }
      prevW.set(this.w);
      prevB = this.b;
      for (let j = 0; j < d; j++) {
        // Proximal step of the (anchored) L1 penalty: soft-threshold the distance from the anchor.
        const a = anchor ? anchor[j] : 0;
        const v = yw[j] - (step * g[j]) / rows - a;
        const lj = lambda * this.penalty[j];
        this.w[j] = a + (v > lj ? v - lj : v < -lj ? v + lj : 0);
      }
      this.b = yb - (step * gb) / rows;
      let moved = Math.abs(this.b - prevB);
      for (let j = 0; j < d; j++) moved = Math.max(moved, Math.abs(this.w[j] - prevW[j]));
      if (moved < TOLERANCE) break;
      const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      const m = (t - 1) / tNext;
      for (let j = 0; j < d; j++) yw[j] = this.w[j] + m * (this.w[j] - prevW[j]);
      yb = this.b + m * (this.b - prevB);
      t = tNext;
    }
    this.fitted = true;
  }

  /**
   * 0.25 * the largest eigenvalue of [X 1]^T [X 1] / n by power iteration, which approaches it from below,
   * plus a 10 % margin so that the step stays within 1 / L.
   */
  private lipschitz(x: Float32Array, rows: number): number {
    const d = this.width;
    let v = new Float64Array(d + 1).fill(1 / Math.sqrt(d + 1));
    let eig = 1;
    for (let it = 0; it < 20; it++) {
      const u = new Float64Array(d + 1);
      for (let i = 0, off = 0; i < rows; i++, off += d) {
        let s = v[d];
        for (let j = 0; j < d; j++) s += x[off + j] * v[j];
        for (let j = 0; j < d; j++) u[j] += x[off + j] * s;
        u[d] += s;
      }
      let norm = 0;
      for (let j = 0; j <= d; j++) norm += u[j] * u[j];
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      eig = norm / rows;
      for (let j = 0; j <= d; j++) u[j] /= norm;
      v = u;
    }
    return 0.25 * eig * 1.1;
  }

  /** Crash probability per row of row-major x (meaningful once `fitted`). */
  probability(x: Float32Array, rows: number): Float32Array {
    const out = new Float32Array(rows);
    const d = this.width;
    for (let i = 0, off = 0; i < rows; i++, off += d) {
      let z = this.b;
      for (let j = 0; j < d; j++) z += this.w[j] * x[off + j];
      out[i] = 1 / (1 + Math.exp(-z));
    }
    return out;
  }

  /** Columns with a non-zero weight, largest first (what the model found crashes depend on). */
  selected(): { column: number; weight: number }[] {
    const out: { column: number; weight: number }[] = [];
    this.w.forEach((weight, column) => {
      if (weight !== 0) out.push({ column, weight });
    });
    return out.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  }

  state(): SparseCrashState {
    return { weights: Array.from(this.w), bias: this.b, fitted: this.fitted };
  }

  /** Restore a saved state; `mapping[j]` is the saved column for column j (-1: a new column, weight 0). */
  restore(s: SparseCrashState, mapping?: readonly number[], where = "sparse crash model"): void {
    if (!s || !Array.isArray(s.weights) || typeof s.bias !== "number" || !Number.isFinite(s.bias))
      fail(`${where}: needs weights (a list of numbers) and bias (a number)`);
    if (!mapping && s.weights.length !== this.width) fail(`${where}: has ${s.weights.length} weights for ${this.width} columns`);
    for (let j = 0; j < this.width; j++) {
      const k = mapping ? mapping[j] : j;
      const v = k >= 0 ? Number(s.weights[k]) : 0;
      if (!Number.isFinite(v)) fail(`${where}: weight ${k} is ${s.weights[k]}, not a finite number`);
      this.w[j] = v;
    }
    this.b = s.bias;
    this.fitted = Boolean(s.fitted);
  }
}
