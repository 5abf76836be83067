/**
 * Bayesian optimisation for mixed, conditional spaces with crashes.
 *
 * - Surrogate: a Gaussian process (gaussian-process.ts) on the encoded configuration (one-hot
 *   categoricals, z-scored or log-z-scored numerics), Matérn 5/2 with one relevance weight per
 *   parameter, fitted on the configurations that ran.
 * - Crashes: a logistic crash model (crash-model.ts) fitted on every outcome; the acquisition is
 *   expected improvement x P(no crash)^crashWeight, so a promising region that keeps crashing is
 *   avoided. With only crashes so far it picks the candidate most likely to run, far from what failed.
 * - Candidates: replay scores the pool's unevaluated rows (a seeded subsample when there are more than
 *   `candidates`); a live space scores random unique points plus mutations (1-3 parameters changed) of
 *   the best configurations so far, so pinned values and conditions always hold.
 * - The first `initial` proposals are random (seeded).
 * - A batch (k > 1) is chosen greedily, damping the acquisition of candidates correlated with those
 *   already picked (local penalisation), so the batch is spread out.
 *
 * Time per ask is bounded by construction: the hyperparameter fit uses at most 150 points and
 * G x m^2 <= 4e6 pairwise entries, and the number of scored candidates is cut so that candidates x
 * model points x columns <= 1.5e7 (at least 50 candidates). Measured on the 2-core project machine: see BENCHMARKS.md "search".
 */
import { Rng } from "../random";
import { Encoder } from "../space/encoder";
import { sampleConfig, sampleValue } from "../space/sample";
import type { Space } from "../space/space";
import { Candidates } from "./candidates";
import { CrashModel } from "./crash-model";
import { GaussianProcess } from "./gaussian-process";
import { expectedImprovement } from "./normal";
import type { Config, Observation, Searcher, SearcherEntry, SearcherOptions } from "./searcher";
import { numberSetting } from "./settings";

interface Seen {
  x: Float64Array;
  ok: boolean;
  y: number;
  config: Config;
}

const WORK_LIMIT = 1.5e7;

export class BayesSearcher implements Searcher {
  readonly name = "bayes";
  readonly direction;
  private readonly space: Space;
  private readonly rng: Rng;
  private readonly candidates: Candidates;
  private readonly encoder: Encoder;
  private readonly gp: GaussianProcess;
  private readonly crash: CrashModel;
  private readonly history: Seen[] = [];
  private readonly poolX: (Float64Array | undefined)[] = [];
  private lastPoolIndexes: number[] = [];
  private readonly randomOrder: number[] | null;
  private randomCursor = 0;
  private readonly initial: number;
  private readonly maxCandidates: number;
  private readonly xi: number;
  private readonly crashWeight: number;
  private readonly maxModelPoints: number;
  private readonly fitSteps: number;
  private fits = 0;
  /** Pool indexes that scored best at the last ask: re-scored next time (they tend to stay good). */
  private carry: number[] = [];
  /** Milliseconds spent in the last ask (for benchmarks and the documented time bound). */
  lastAskMs = 0;
  /** Where the last model-based ask spent its time (ms): candidates, crash model, GP fit, scoring. */
  readonly lastTimings: Record<string, number> = {};

  constructor(options: SearcherOptions) {
    this.direction = options.direction;
    this.space = options.space;
    this.rng = new Rng(options.seed);
    this.initial = numberSetting("bayes", options, "initial", 10, { min: 1, integer: true });
    this.maxCandidates = numberSetting("bayes", options, "candidates", 200, { min: 10, integer: true });
    this.maxModelPoints = numberSetting("bayes", options, "modelPoints", 100, { min: 10, integer: true });
    this.xi = numberSetting("bayes", options, "xi", 0.01, { min: 0 });
    this.crashWeight = numberSetting("bayes", options, "crashWeight", 1, { min: 0 });
    this.fitSteps = numberSetting("bayes", options, "fitSteps", 5, { min: 0, integer: true });
    this.candidates = new Candidates(options.space, options.pool);
    this.encoder = new Encoder(options.space, { data: this.candidates.pool ?? undefined });
    const names = [...new Set(this.encoder.columnParameters)];
    const groupOf = new Map(names.map((n, i) => [n, i]));
    const groups = Int32Array.from(this.encoder.columnParameters.map((n) => groupOf.get(n)!));
    this.gp = new GaussianProcess(groups, Math.max(1, names.length));
    this.crash = new CrashModel(this.encoder.width);
    this.randomOrder = this.candidates.pool ? this.rng.shuffle(this.candidates.pool.map((_, i) => i)) : null;
  }

  async ask(k = 1): Promise<Config[]> {
    const t0 = performance.now();
    const out: Config[] = [];
    if (this.history.length >= this.initial) {
      for (const c of this.modelPicks(k)) {
        this.candidates.take(c);
        out.push(c);
      }
    }
    while (out.length < k) {
      const c = this.randomPick();
      if (!c) break;
      this.candidates.take(c);
      out.push(c);
    }
    this.lastAskMs = performance.now() - t0;
    return out;
  }

  async tell(observations: Observation[]): Promise<void> {
    for (const o of observations) {
      this.candidates.take(o.config);
      const ok = o.outcome.ok;
      const value = o.outcome.ok ? o.outcome.value : NaN;
      const y = this.direction === "max" ? value : -value;
      this.history.push({ x: this.encoder.encode(o.config), ok: ok && Number.isFinite(y), y, config: o.config });
    }
  }

  private randomPick(): Config | null {
    if (this.randomOrder) {
      while (this.randomCursor < this.randomOrder.length) {
        const c = this.candidates.pool![this.randomOrder[this.randomCursor++]];
        if (!this.candidates.isTaken(c)) return c;
      }
      return null;
    }
    for (let i = 0; i < 2000; i++) {
      const c = sampleConfig(this.space, this.rng);
      if (!this.candidates.isTaken(c)) return c;
    }
    return null;
  }

  private candidateSet(limit: number): { configs: Config[]; X: Float64Array[] } {
    const configs: Config[] = [];
    const X: Float64Array[] = [];
    if (this.candidates.pool) {
      let idx = this.candidates.remainingPoolIndexes();
      if (idx.length > limit) {
        const carried = this.carry.filter((i) => !this.candidates.isTaken(this.candidates.pool![i]));
        const carriedSet = new Set(carried);
        const fresh = this.rng.shuffle(idx.filter((i) => !carriedSet.has(i))).slice(0, limit - carried.length);
        idx = [...carried, ...fresh];
      }
      this.lastPoolIndexes = idx;
      for (const i of idx) {
        const c = this.candidates.pool[i];
        configs.push(c);
        X.push((this.poolX[i] ??= this.encoder.encode(c)));
      }
      return { configs, X };
    }
    const keys = new Set<string>();
    const add = (c: Config) => {
      const key = this.space.key(c);
      if (keys.has(key) || this.candidates.isTakenKey(key)) return;
      keys.add(key);
      configs.push(c);
      X.push(this.encoder.encode(c));
    };
    // half local: mutations of the five best configurations that ran
    const best = this.history
      .filter((h) => h.ok)
      .sort((a, b) => b.y - a.y)
      .slice(0, 5);
    const varied = this.space.variedParameters();
    if (best.length && varied.length) {
      for (let i = 0; i < limit * 4 && configs.length < Math.floor(limit / 2); i++) {
        const base = { ...best[i % best.length].config };
        const changes = 1 + this.rng.int(0, 2);
        for (let j = 0; j < changes; j++) {
          const p = this.rng.pick(varied);
          base[p.name] = sampleValue(p, this.rng);
        }
        // re-draw parameters that a changed condition made active, drop those it made inactive
        const completed: Config = {};
        for (const p of this.space.order) {
          if (!this.space.isActive(p, completed)) continue;
          completed[p.name] = this.space.pinnedValue(p.name) ?? (p.name in base ? base[p.name] : sampleValue(p, this.rng));
        }
        add(completed);
      }
    }
    for (let i = 0; i < limit * 4 && configs.length < limit; i++) add(sampleConfig(this.space, this.rng));
    return { configs, X };
  }

  private modelPicks(k: number): Config[] {
    const n = this.history.length;
    const modelN = Math.min(n, this.maxModelPoints);
    const limit = Math.max(50, Math.min(this.maxCandidates, Math.floor(WORK_LIMIT / Math.max(1, modelN * Math.max(1, this.encoder.width)))));
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      this.lastTimings[name] = now - t;
      t = now;
    };
    const { configs, X } = this.candidateSet(limit);
    lap("candidates");
    if (configs.length === 0) return [];
    const okRuns = this.modelPoints();
    this.crash.fit(
      this.history.map((h) => h.x),
      this.history.map((h) => h.ok),
    );
    const pOk = X.map((x) => this.crash.pOk(x) ** this.crashWeight);
    lap("crashModel");
    let score: number[];
    if (okRuns.length === 0) {
      // nothing has run yet: the most likely to run, far from everything that failed
      score = X.map((x, i) => pOk[i] * (1e-6 + this.nearestDistance(x)));
    } else {
      this.gp.fit(
        okRuns.map((h) => h.x),
        okRuns.map((h) => h.y),
        this.rng,
        // a thorough first fit, then a few warm-started steps per ask
        this.fits++ === 0 ? Math.max(30, this.fitSteps) : this.fitSteps,
      );
      lap("fit");
      const best = Math.max(...okRuns.map((h) => h.y));
      const preds = X.map((x) => this.gp.predict(x));
      const scale = Math.max(1e-12, ...preds.map((p) => p.std));
      const ei = preds.map((p) => expectedImprovement(p.mean, p.std, best, this.xi * scale));
      const useEi = ei.some((e) => e > 1e-12 * scale);
      score = preds.map((p, i) => (useEi ? ei[i] : Math.exp((p.mean + 2 * p.std - best) / scale)) * pOk[i]);
    }
    lap("score");
    if (this.candidates.pool) {
      const order = score.map((_, i) => i).sort((a, b) => score[b] - score[a]);
      this.carry = order.slice(0, Math.floor(this.maxCandidates / 5)).map((i) => this.lastPoolIndexes[i]);
    }
    const picks: number[] = [];
    const weight = score.slice();
    for (let j = 0; j < k && picks.length < configs.length; j++) {
      let bestI = -1;
      for (let i = 0; i < weight.length; i++) if (!picks.includes(i) && (bestI < 0 || weight[i] > weight[bestI])) bestI = i;
      if (bestI < 0) break;
      picks.push(bestI);
      if (j + 1 < k) for (let i = 0; i < weight.length; i++) weight[i] *= 1 - 0.9 * this.gp.correlation(X[i], X[bestI]);
    }
    return picks.map((i) => configs[i]);
  }

  /** The runs the GP is fitted on: all of them, or the best half plus a seeded sample of the rest. */
  private modelPoints(): Seen[] {
    const ok = this.history.filter((h) => h.ok);
    if (ok.length <= this.maxModelPoints) return ok;
    const sorted = ok.slice().sort((a, b) => b.y - a.y);
    const top = sorted.slice(0, Math.floor(this.maxModelPoints / 2));
    const rest = this.rng.shuffle(sorted.slice(top.length)).slice(0, this.maxModelPoints - top.length);
    return [...top, ...rest];
  }

  private nearestDistance(x: Float64Array): number {
    let best = Infinity;
    for (const h of this.history) {
      let s = 0;
      for (let c = 0; c < x.length; c++) s += (x[c] - h.x[c]) ** 2;
      if (s < best) best = s;
    }
    return Math.sqrt(best);
  }
}

export const bayesSearcher: SearcherEntry = {
  name: "bayes",
  summary: "Bayesian optimisation: Gaussian process (ARD Matern 5/2) + expected improvement x P(no crash)",
  settings: {
    initial: "random proposals before the model is used (default 10)",
    candidates: "most candidates scored per ask (default 200; the best fifth of the last ask's are re-scored)",
    modelPoints: "most runs the Gaussian process is fitted on: the best half plus a sample of the rest (default 100)",
    xi: "exploration margin of expected improvement, in posterior standard deviations (default 0.01)",
    crashWeight: "exponent on P(no crash) in the acquisition; 0 ignores crashes (default 1)",
    fitSteps: "warm-started Adam steps of the hyperparameter fit per ask, after a first fit of 30 (default 5)",
  },
  create: (options) => new BayesSearcher(options),
};
