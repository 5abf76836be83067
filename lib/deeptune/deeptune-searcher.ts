/**
 * DeepTune behind the ask/tell contract. Each ask:
 * 1. updates the model if outcomes arrived since the last ask (warm start: a few Adam steps on
 *    minibatches of the history that always contain the newest rows; a longer first training);
 * 2. builds the candidate pool: in replay the not-yet-evaluated rows of the recorded pool, in a live
 *    space `poolSize` random samples honouring pinned values and conditions;
 * 3. predicts crash probability, goodness and sigma for every candidate and scores them
 *    (score-candidates.ts), dropping likely crashes;
 * 4. picks k distinct candidates greedily; after each pick the chosen point counts as evaluated for
 *    the distance term, so a batch spreads out instead of piling onto one peak.
 * Before `initial` outcomes exist it picks uniformly at random (`initial` defaults to 0 when a transferred
 * model is loaded).
 */
import * as tf from "@tensorflow/tfjs";
import type { Direction } from "../datasets/types";
import { fail } from "../errors";
import { Rng } from "../random";
import { Candidates } from "../search/candidates";
import type { Config, Observation, Searcher, SearcherOptions } from "../search/searcher";
import { Encoder } from "../space/encoder";
import { sampleConfig, UniqueSampler } from "../space/sample";
import type { Space } from "../space/space";
import { initBackend, type BackendInfo } from "./backend";
import { DeepTuneModel, type TransferScope } from "./deeptune-model";
import { networkSettings, readSettings, type DeepTuneSettings } from "./deeptune-settings";
import { scoreCandidates } from "./score-candidates";

/** Share of the live candidate pool replaced by fresh samples at each ask. */
const LIVE_REFRESH = 0.1;
/** Candidate rows per block when measuring distances to the history (see nearestToHistory). */
const DISTANCE_BLOCK = 256;
/** Outcomes of its own picks over which the two crash models' log-loss is compared (see crashMix). */
const CRASH_MIX_WINDOW = 40;

/** Log-loss of a crash probability for an outcome, clipped so one confident miss cannot dominate. */
function logLoss(p: number, crashed: boolean): number {
  const q = Math.min(1 - 1e-3, Math.max(1e-3, crashed ? p : 1 - p));
  return -Math.log(q);
}

/** Fold one row into each candidate's squared per-column distance to its nearest evaluated row. */
function updateNearest(x: Float32Array, rows: number, d: number, row: Float32Array, nearest: Float64Array): void {
  for (let i = 0, off = 0; i < rows; i++, off += d) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = x[off + j] - row[j];
      s += t * t;
    }
    s /= d;
    if (s < nearest[i]) nearest[i] = s;
  }
}

export interface DeepTuneTimings {
  /** Seconds of the last model update (0 when none was needed). */
  update: number;
  /** Seconds of the last candidate scoring (prediction + acquisition). */
  score: number;
  candidates: number;
}

export interface TransferInfo {
  from: string;
  scope: TransferScope;
  matchedColumns: number;
  columns: number;
}

export class DeepTuneSearcher implements Searcher {
  readonly name = "deeptune";
  readonly direction: Direction;
  readonly settings: DeepTuneSettings;
  readonly encoder: Encoder;
  backend?: BackendInfo;
  transfer?: TransferInfo;
  lastTimings: DeepTuneTimings = { update: 0, score: 0, candidates: 0 };

  private readonly space: Space;
  private readonly rng: Rng;
  private readonly candidates: Candidates;
  private readonly sampler: UniqueSampler | null;
  private readonly width: number;
  private model: DeepTuneModel | null = null;
  private trained = false;
  private disposed = false;
  // History, row-major, grown by doubling.
  private hx: Float32Array;
  private hCrashed: Uint8Array;
  private hValues: Float64Array;
  private n = 0;
  private fresh: number[] = [];
  // Replay: the encoded pool and each member's squared per-column distance to the nearest evaluated row.
  private readonly poolX: Float32Array | null;
  private readonly poolNearest: Float64Array | null;
  // Live: the rolling candidate pool (see livePool).
  private live: { configs: Config[]; keys: string[]; x: Float32Array; nearest: Float64Array } | null = null;
  // Crash probabilities (network, sparse model) predicted for each pending pick, and the log-losses
  // of both on the last CRASH_MIX_WINDOW outcomes of picks (prequential: scored before training on them).
  private pickPredictions = new Map<string, [number, number]>();
  private crashLosses: [number, number][] = [];

  private constructor(options: SearcherOptions, settings: DeepTuneSettings) {
    this.direction = options.direction;
    this.settings = settings;
    this.space = options.space;
    this.rng = new Rng(options.seed);
    this.candidates = new Candidates(options.space, options.pool);
    this.encoder = new Encoder(options.space, options.pool ? { data: this.candidates.pool! } : {});
    this.width = this.encoder.width;
    if (this.width === 0) fail("searcher deeptune: the space has no varied parameter, so there is nothing to search");
    this.hx = new Float32Array(64 * this.width);
    this.hCrashed = new Uint8Array(64);
    this.hValues = new Float64Array(64);
    if (this.candidates.pool) {
      const pool = this.candidates.pool;
      this.poolX = new Float32Array(pool.length * this.width);
      pool.forEach((c, i) => this.poolX!.set(this.encoder.encode(c), i * this.width));
      this.poolNearest = new Float64Array(pool.length).fill(Infinity);
      this.sampler = null;
    } else {
      this.poolX = null;
      this.poolNearest = null;
      this.sampler = new UniqueSampler(options.space, this.rng.fork());
    }
  }

  static async create(options: SearcherOptions): Promise<DeepTuneSearcher> {
    const settings = readSettings(options);
    const s = new DeepTuneSearcher(options, settings);
    s.backend = await initBackend();
    if (settings.transferFrom) {
      const source = await DeepTuneModel.load(settings.transferFrom);
      try {
        const { model, matched } = source.transferTo(s.encoder.columns, s.encoder.columnParameters, s.direction,
          { seed: options.seed, crashL1: settings.crashL1, wrapPenalty: settings.wrapPenalty, scope: settings.transferScope });
        // The source's hyperparameters travel with its weights; our gamma/dropout settings still apply to scoring.
        s.model = model;
        s.model.network.setGamma(settings.gamma);
        s.transfer = { from: settings.transferFrom, scope: settings.transferScope, matchedColumns: matched, columns: s.width };
      } finally {
        source.dispose();
      }
    }
    return s;
  }

  /** Number of outcomes told so far. */
  get observations(): number {
    return this.n;
  }

  private ensureModel(): DeepTuneModel {
    if (!this.model) {
      const s = this.settings;
      this.model = DeepTuneModel.create(
        networkSettings(s, this.rng.uint32() & 0x7fffffff),
        this.encoder.columns, this.encoder.columnParameters, this.direction, s.crashL1, s.wrapPenalty);
    }
    return this.model;
  }

  private grow(): void {
    if (this.n < this.hCrashed.length) return;
    const cap = this.hCrashed.length * 2;
    const x = new Float32Array(cap * this.width);
    x.set(this.hx);
    this.hx = x;
    const c = new Uint8Array(cap);
    c.set(this.hCrashed);
    this.hCrashed = c;
    const v = new Float64Array(cap);
    v.set(this.hValues);
    this.hValues = v;
  }

  async tell(observations: Observation[]): Promise<void> {
    if (this.disposed) fail("searcher deeptune: tell() after dispose()");
    for (const o of observations) {
      // Only model picks have predictions to score; skip keying the configuration when there are none.
      const key = this.pickPredictions.size > 0 ? this.candidates.key(o.config) : "";
      const predicted = this.pickPredictions.get(key);
      if (predicted) {
        this.pickPredictions.delete(key);
        this.crashLosses.push([logLoss(predicted[0], !o.outcome.ok), logLoss(predicted[1], !o.outcome.ok)]);
        if (this.crashLosses.length > CRASH_MIX_WINDOW) this.crashLosses.shift();
      }
      this.candidates.take(o.config);
      this.sampler?.exclude(o.config);
      this.grow();
      this.hx.set(this.encoder.encode(o.config), this.n * this.width);
      this.hCrashed[this.n] = o.outcome.ok ? 0 : 1;
      this.hValues[this.n] = o.outcome.ok ? o.outcome.value : NaN;
      if (o.outcome.ok && !Number.isFinite(o.outcome.value))
        fail(`searcher deeptune: an ok outcome needs a finite value, got ${o.outcome.value}`);
      const row = this.hx.subarray(this.n * this.width, (this.n + 1) * this.width);
      if (this.poolX) this.updatePoolDistances(row);
      if (this.live) updateNearest(this.live.x, this.live.configs.length, this.width, row, this.live.nearest);
      this.fresh.push(this.n);
      this.n++;
    }
  }

  /** Fold one newly evaluated (or picked) row into every pool member's nearest distance. */
  private updatePoolDistances(row: Float32Array, nearest = this.poolNearest!): void {
    updateNearest(this.poolX!, nearest.length, this.width, row, nearest);
  }

  private updateModel(): void {
    if (this.fresh.length === 0 && this.trained) return;
    if (this.n === 0) return;
    const t0 = performance.now();
    const model = this.ensureModel();
    model.crashMix = this.crashMix();
    const steps = this.trained ? this.settings.steps : Math.max(this.settings.initialSteps, this.settings.steps);
    model.train({ x: this.hx.subarray(0, this.n * this.width), rows: this.n, crashed: this.hCrashed.subarray(0, this.n), values: this.hValues.subarray(0, this.n) },
      steps, this.settings.batchSize, this.fresh.slice(-this.settings.batchSize));
    this.trained = true;
    this.fresh = [];
    this.lastTimings.update = (performance.now() - t0) / 1000;
  }

  /** The crash mixture's current weights and how many outcomes of picks they rest on (for reports). */
  get crashMixture(): { network: number; sparse: number; outcomes: number } {
    const network = this.crashMix();
    return { network, sparse: 1 - network, outcomes: this.crashLosses.length };
  }

  /**
   * The network's weight in the crash mixture: Bayesian model averaging over the two crash models with
   * the likelihood of the recent outcomes of picks, w = 1 / (1 + exp(L_network - L_sparse)), L the summed
   * log-loss over the window. A model that keeps being surprised by crashes loses its say; the window lets
   * the network take over once it has learnt more than the linear model can.
   */
  private crashMix(): number {
    let net = 0, sparse = 0;
    for (const [a, b] of this.crashLosses) {
      net += a;
      sparse += b;
    }
    return 1 / (1 + Math.exp(Math.min(50, Math.max(-50, net - sparse))));
  }

  private randomPicks(k: number): Config[] {
    const out: Config[] = [];
    if (this.candidates.pool) {
      const left = this.candidates.remainingPoolIndexes();
      for (const i of this.rng.shuffle(left).slice(0, k)) out.push(this.candidates.pool[i]);
    } else {
      while (out.length < k) {
        let c = this.sampler!.next();
        while (c && this.candidates.isTaken(c)) c = this.sampler!.next();
        if (!c) break;
        out.push(c);
      }
    }
    return out;
  }

  /** Candidate configurations and their encodings for this ask. */
  private candidatePool(): { configs: Config[]; x: Float32Array; nearest: Float64Array; poolIndex: number[] | null } {
    const d = this.width;
    const limit = this.settings.poolSize;
    if (this.candidates.pool) {
      let idx = this.candidates.remainingPoolIndexes();
      if (idx.length > limit) idx = this.rng.shuffle(idx).slice(0, limit);
      const x = new Float32Array(idx.length * d);
      const nearest = new Float64Array(idx.length);
      idx.forEach((pi, j) => {
        x.set(this.poolX!.subarray(pi * d, pi * d + d), j * d);
        nearest[j] = this.poolNearest![pi];
      });
      return { configs: idx.map((i) => this.candidates.pool![i]), x, nearest, poolIndex: idx };
    }
    return this.livePool(limit);
  }

  /**
   * Live candidates: a rolling pool of `poolSize` random points of the space. Sampling, keying and
   * encoding 2000 configurations of a 300-parameter space costs more than the model itself, so the pool
   * is kept between asks: members that were picked or told leave it, a tenth is replaced by fresh
   * samples each ask (so the search keeps seeing new points), and distances to the history are
   * maintained incrementally as outcomes arrive.
   */
  private livePool(limit: number): { configs: Config[]; x: Float32Array; nearest: Float64Array; poolIndex: null } {
    const d = this.width;
    const old = this.live ?? { configs: [], keys: [], x: new Float32Array(0), nearest: new Float64Array(0) };
    const keepIdx: number[] = [];
    for (let i = 0; i < old.configs.length; i++) if (!this.candidates.isTakenKey(old.keys[i])) keepIdx.push(i);
    const refresh = Math.ceil(limit * LIVE_REFRESH);
    const kept = (keepIdx.length > limit - refresh ? this.rng.shuffle(keepIdx).slice(0, Math.max(0, limit - refresh)) : keepIdx).sort((a, b) => a - b);
    const configs = kept.map((i) => old.configs[i]);
    const keys = kept.map((i) => old.keys[i]);
    const seen = new Set(keys);
    const fresh: Config[] = [];
    const freshKeys: string[] = [];
    const want = limit - configs.length;
    for (let attempt = 0; fresh.length < want && attempt < want * 3; attempt++) {
      const c = sampleConfig(this.space, this.rng);
      const key = this.candidates.key(c);
      if (seen.has(key) || this.candidates.isTakenKey(key)) continue;
      seen.add(key);
      fresh.push(c);
      freshKeys.push(key);
    }
    // A nearly exhausted small space: random draws keep hitting taken points, so add the exact
    // enumeration's leftovers (the unique sampler knows them).
    for (let extra = 0; configs.length + fresh.length < Math.min(limit, 64) && extra < 64; extra++) {
      const c = this.sampler!.next();
      if (!c) break;
      const key = this.candidates.key(c);
      if (seen.has(key) || this.candidates.isTakenKey(key)) continue;
      seen.add(key);
      fresh.push(c);
      freshKeys.push(key);
    }
    const m = configs.length + fresh.length;
    const x = new Float32Array(m * d);
    const nearest = new Float64Array(m);
    kept.forEach((i, j) => {
      x.set(old.x.subarray(i * d, i * d + d), j * d);
      nearest[j] = old.nearest[i];
    });
    const fx = new Float32Array(fresh.length * d);
    fresh.forEach((c, j) => fx.set(this.encoder.encode(c), j * d));
    x.set(fx, configs.length * d);
    nearest.set(this.nearestToHistory(fx, fresh.length), configs.length);
    this.live = { configs: [...configs, ...fresh], keys: [...keys, ...freshKeys], x, nearest };
    // The batch picker lowers distances as it hallucinates picks: give it a copy.
    return { configs: this.live.configs, x, nearest: nearest.slice(), poolIndex: null };
  }

  /**
   * Squared per-column distance from each row of x to the nearest history row, on the backend in
   * blocks of rows: the wasm heap never shrinks, so one [rows x history] matrix (and its temporaries)
   * at 2000 x 2000 would keep ~60 MB resident for the rest of the process.
   */
  private nearestToHistory(x: Float32Array, rows: number): Float64Array {
    const out = new Float64Array(rows).fill(Infinity);
    if (this.n === 0 || rows === 0) return out;
    const d = this.width;
    const h = tf.tensor2d(this.hx.subarray(0, this.n * d), [this.n, d]);
    const hh = tf.tidy(() => h.square().sum(1).reshape([1, -1]));
    try {
      for (let start = 0; start < rows; start += DISTANCE_BLOCK) {
        const m = Math.min(DISTANCE_BLOCK, rows - start);
        const v = tf.tidy(() => {
          const c = tf.tensor2d(x.subarray(start * d, (start + m) * d), [m, d]);
          const d2 = c.square().sum(1, true).add(hh).sub(tf.matMul(c, h, false, true).mul(2));
          return d2.min(1).relu().div(d).dataSync() as Float32Array;
        });
        for (let i = 0; i < m; i++) out[start + i] = v[i];
      }
    } finally {
      h.dispose();
      hh.dispose();
    }
    return out;
  }

  async ask(k = 1): Promise<Config[]> {
    if (this.disposed) fail("searcher deeptune: ask() after dispose()");
    if (!Number.isInteger(k) || k < 1) fail(`searcher deeptune: ask(k) needs an integer k >= 1, got ${k}`);
    this.lastTimings = { update: 0, score: 0, candidates: 0 };
    let picks: Config[];
    // A transferred model defaults to initial = 0 (readSettings); an explicit `initial` still applies.
    if (this.n < this.settings.initial) {
      picks = this.randomPicks(k);
    } else {
      this.updateModel();
      picks = this.modelPicks(k);
    }
    for (const c of picks) {
      this.candidates.take(c);
      this.sampler?.exclude(c);
    }
    return picks;
  }

  private modelPicks(k: number): Config[] {
    const t0 = performance.now();
    const model = this.ensureModel();
    const cand = this.candidatePool();
    const m = cand.configs.length;
    this.lastTimings.candidates = m;
    if (m === 0) return [];
    const pred = model.predict(cand.x, m);
    const nearest = cand.nearest;
    const picks: Config[] = [];
    const chosen = new Set<number>();
    const d = this.width;
    while (picks.length < Math.min(k, m)) {
      const acq = scoreCandidates({ crashProbability: pred.crashProbability, goodness: pred.goodness, sigma: pred.sigma, nearestSq: nearest }, this.settings);
      let best = -1;
      for (let i = 0; i < m; i++) if (!chosen.has(i) && (best < 0 || acq[i] > acq[best])) best = i;
      if (best < 0) break;
      chosen.add(best);
      picks.push(cand.configs[best]);
      if (pred.sparseCrashProbability)
        this.pickPredictions.set(this.candidates.key(cand.configs[best]), [pred.networkCrashProbability[best], pred.sparseCrashProbability[best]]);
      if (picks.length < k) {
        // Treat the pick as evaluated for the distance term of the next pick in this batch.
        updateNearest(cand.x, m, d, cand.x.subarray(best * d, best * d + d), nearest);
      }
    }
    this.lastTimings.score = (performance.now() - t0) / 1000;
    return picks;
  }

  /** Predictions for arbitrary configurations (e.g. for evaluation); trains first if outcomes are pending. */
  predict(configs: readonly Config[]) {
    this.updateModel();
    const model = this.ensureModel();
    const x = new Float32Array(configs.length * this.width);
    configs.forEach((c, i) => x.set(this.encoder.encode(c), i * this.width));
    return model.predict(x, configs.length);
  }

  /** Save the current model (with encoder columns and parameter names) for transfer learning. */
  saveModel(dir: string): void {
    this.updateModel();
    this.ensureModel().save(dir);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.settings.saveModel && this.n > 0) this.saveModel(this.settings.saveModel);
    this.disposed = true;
    this.model?.dispose();
    this.model = null;
  }
}
