/**
 * Numeric vectors for configurations, for surrogate models (Bayesian optimisation, DeepTune) and
 * analysis. Column names are stable and readable, so models trained on one space can be aligned with
 * another by name (transfer learning):
 * - `NAME`          a numeric parameter (integer range, or a choice whose values all read as numbers,
 *                   e.g. huge integers kept as strings), z-scored; log-z-scored (log(x - min + 1)) when
 *                   the parameter has `scale: "log"` or spans more than three orders of magnitude;
 * - `NAME=VALUE`    one-hot column of a categorical value (choice, tristate), or the "on" value of a
 *                   boolean (1 = on, 0 = off);
 * - `NAME#rank`     a categorical with more than `maxOneHot` values, as its z-scored position in the list;
 * - `NAME?`         1 when a conditional parameter is active (its other columns are 0 when it is not);
 * - `NAME#neg32`    for an integer parameter whose values reach 2^31: 1 when the value's low 32 bits read
 *                   as a signed C int are negative, else 0. Many kernel sysctl handlers parse into a
 *                   32-bit int, so values past INT_MAX wrap, and whether the wrapped value is negative can
 *                   decide between a crash and a clean run (icmp_ratelimit in the artifact's Linux pools
 *                   crashes about half the time when it is not and never when it is). In the raw or log
 *                   value that boundary is a periodic pattern a model cannot learn from a few hundred
 *                   samples; as a 0/1 column it is one weight. `wrap32: false` turns it off.
 * Pinned parameters (constant in this space) get no column. Means and deviations come from `data` when
 * given (e.g. a replay pool), else from the domain (a uniform draw).
 */
import type { Value } from "../datasets/types";
import type { Config } from "../search/searcher";
import { booleanValues, domainValues, type Parameter } from "./parameter";
import type { Space } from "./space";

export interface EncoderOptions {
  /** Configurations to take means and deviations from (default: the domains). */
  data?: readonly Config[];
  /** Categoricals with more values than this are encoded by rank instead of one-hot (default 64). */
  maxOneHot?: number;
  /** Add the `NAME#neg32` column to integer parameters whose values reach 2^31 (default true). */
  wrap32?: boolean;
}

type Block =
  | { kind: "numeric"; p: Parameter; col: number; log: boolean; min: number; mean: number; std: number; values: number[] | null; strings: boolean }
  | { kind: "onehot"; p: Parameter; col: number; values: Value[]; index: Map<string, number> }
  | { kind: "flag"; p: Parameter; col: number; on: string; off: string }
  | { kind: "rank"; p: Parameter; col: number; values: Value[]; index: Map<string, number>; mean: number; std: number }
  | { kind: "wrap32"; p: Parameter; col: number };

const TWO_31 = 2 ** 31;

/** The low 32 bits of an integer read as a signed C int, divided by 2^31 (in [-1, 1)); NaN for non-integers. */
export function wrapInt32(v: Value): number {
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s)) return NaN;
  // Doubles are exact only up to 2^53, and the pools hold values like 18446744073692774399: use BigInt.
  return Number(BigInt.asIntN(32, BigInt(s))) / TWO_31;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function numericValues(p: Parameter): number[] | null {
  if (p.type !== "choice" || p.values.length < 3) return null;
  if (!p.values.every((v) => typeof v === "number" || NUMBER.test(v))) return null;
  return p.values.map(Number);
}

export class Encoder {
  readonly columns: string[] = [];
  /** For each column, the name of the parameter it encodes (several columns per categorical). */
  readonly columnParameters: string[] = [];
  private readonly blocks: Block[] = [];
  private readonly activeCol = new Map<string, number>();

  constructor(
    readonly space: Space,
    options: EncoderOptions = {},
  ) {
    const maxOneHot = options.maxOneHot ?? 64;
    for (const p of space.parameters) {
      if (!space.isVaried(p.name)) continue;
      const col = this.columns.length;
      const nums = numericValues(p);
      if (p.type === "integer" || nums) {
        const lo = p.type === "integer" ? p.min : Math.min(...nums!);
        const hi = p.type === "integer" ? p.max : Math.max(...nums!);
        const log = lo >= 0 && ((p.type === "integer" && p.scale === "log") || (hi + 1) / (lo + 1) > 1000);
        const t = (x: number) => (log ? Math.log(x - lo + 1) : x);
        let mean: number;
        let std: number;
        const observed = options.data?.filter((c) => p.name in c).map((c) => t(Number(c[p.name]))).filter(Number.isFinite);
        if (observed && observed.length > 1) {
          mean = observed.reduce((a, b) => a + b, 0) / observed.length;
          std = Math.sqrt(observed.reduce((a, b) => a + (b - mean) ** 2, 0) / observed.length);
        } else if (nums) {
          const ts = nums.map(t);
          mean = ts.reduce((a, b) => a + b, 0) / ts.length;
          std = Math.sqrt(ts.reduce((a, b) => a + (b - mean) ** 2, 0) / ts.length);
        } else {
          mean = (t(lo) + t(hi)) / 2;
          std = (t(hi) - t(lo)) / Math.sqrt(12);
        }
        this.blocks.push({ kind: "numeric", p, col, log, min: lo, mean, std: std > 0 ? std : 1, values: nums, strings: !!nums && p.type === "choice" && p.values.some((v) => typeof v === "string") });
        this.columns.push(p.name);
        if ((options.wrap32 ?? true) && hi >= TWO_31) {
          this.blocks.push({ kind: "wrap32", p, col: this.columns.length });
          this.columns.push(`${p.name}#neg32`);
        }
      } else if (p.type === "boolean") {
        const [on, off] = booleanValues(p);
        this.blocks.push({ kind: "flag", p, col, on, off });
        this.columns.push(`${p.name}=${on}`);
      } else {
        const values = domainValues(p)!;
        const index = new Map(values.map((v, i) => [String(v), i]));
        if (values.length > maxOneHot) {
          const n = values.length;
          this.blocks.push({ kind: "rank", p, col, values, index, mean: (n - 1) / 2, std: Math.sqrt((n * n - 1) / 12) || 1 });
          this.columns.push(`${p.name}#rank`);
        } else {
          this.blocks.push({ kind: "onehot", p, col, values, index });
          for (const v of values) this.columns.push(`${p.name}=${v}`);
        }
      }
      if (p.condition) {
        this.activeCol.set(p.name, this.columns.length);
        this.columns.push(`${p.name}?`);
      }
      while (this.columnParameters.length < this.columns.length) this.columnParameters.push(p.name);
    }
  }

  get width(): number {
    return this.columns.length;
  }

  encode(config: Config, out: Float64Array = new Float64Array(this.columns.length)): Float64Array {
    out.fill(0);
    for (const b of this.blocks) {
      const v = config[b.p.name];
      if (v === undefined) continue;
      const a = this.activeCol.get(b.p.name);
      if (a !== undefined) out[a] = 1;
      switch (b.kind) {
        case "numeric": {
          const x = Number(v);
          out[b.col] = ((b.log ? Math.log(x - b.min + 1) : x) - b.mean) / b.std;
          break;
        }
        case "flag":
          out[b.col] = String(v) === b.on ? 1 : 0;
          break;
        case "onehot": {
          const i = b.index.get(String(v));
          if (i !== undefined) out[b.col + i] = 1;
          break;
        }
        case "rank": {
          const i = b.index.get(String(v));
          if (i !== undefined) out[b.col] = (i - b.mean) / b.std;
          break;
        }
        case "wrap32": {
          const w = wrapInt32(v);
          out[b.col] = w < 0 ? 1 : 0;
          break;
        }
      }
    }
    return out;
  }

  encodeAll(configs: readonly Config[]): Float64Array[] {
    return configs.map((c) => this.encode(c));
  }

  /** The nearest configuration of the space to a vector (values snapped to their domains). */
  decode(vector: ArrayLike<number>): Config {
    const partial: Config = {};
    for (const b of this.blocks) {
      const p = b.p;
      switch (b.kind) {
        case "numeric": {
          const t = vector[b.col] * b.std + b.mean;
          const x = b.log ? Math.exp(t) - 1 + b.min : t;
          if (b.values) {
            let best = 0;
            const tt = (y: number) => (b.log ? Math.log(y - b.min + 1) : y);
            for (let i = 1; i < b.values.length; i++) if (Math.abs(tt(b.values[i]) - t) < Math.abs(tt(b.values[best]) - t)) best = i;
            partial[p.name] = (p as { values: Value[] }).values[best];
          } else if (p.type === "integer") {
            partial[p.name] = snapInteger(p, x);
          }
          break;
        }
        case "flag":
          partial[p.name] = vector[b.col] >= 0.5 ? b.on : b.off;
          break;
        case "onehot": {
          let best = 0;
          for (let i = 1; i < b.values.length; i++) if (vector[b.col + i] > vector[b.col + best]) best = i;
          partial[p.name] = b.values[best];
          break;
        }
        case "rank": {
          const i = Math.round(vector[b.col] * b.std + b.mean);
          partial[p.name] = b.values[Math.min(b.values.length - 1, Math.max(0, i))];
          break;
        }
        case "wrap32":
          // Derived from the numeric column: nothing to decode.
          break;
      }
    }
    return this.space.complete(partial);
  }
}

function snapInteger(p: Extract<Parameter, { type: "integer" }>, x: number): number {
  const clamped = Math.min(p.max, Math.max(p.min, x));
  if (p.power) {
    const values = domainValues(p) as number[];
    let best = values[0];
    for (const v of values) if (Math.abs(Math.log(v + 1) - Math.log(clamped + 1)) < Math.abs(Math.log(best + 1) - Math.log(clamped + 1))) best = v;
    return best;
  }
  const step = p.step ?? 1;
  let k = Math.round((clamped - p.min) / step);
  if (p.min + k * step > p.max) k--;
  return p.min + k * step;
}
