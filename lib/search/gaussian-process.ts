/**
 * A Gaussian-process regressor for mixed spaces encoded by lib/space/encoder.ts: a Matérn 5/2 kernel on
 * a weighted Euclidean distance, one weight per parameter (its group of one-hot columns counts as one
 * dimension), so irrelevant parameters can be switched off (automatic relevance determination).
 * Hyperparameters (the weights, signal and noise variance) are fitted by a few Adam steps on the log
 * marginal likelihood, with a weak log-normal prior, warm-started from the previous fit: each refit is
 * cheap and the model sharpens as data arrives. Targets are standardised inside.
 *
 * Cost: fitting is O(n^3 + G n^2) per step (n points, G parameters); when G n^2 exceeds
 * `maxGradientEntries` the hyperparameters are fitted on a random subset of the points (the prediction
 * still uses all of them), which keeps Linux-sized spaces (300+ parameters) within the time bound.
 */
import type { Rng } from "../random";

export interface GpOptions {
  /** Adam steps per fit (default 25). */
  steps?: number;
  /** Bound on G * m^2 for the gradient's pairwise tables (default 4e6 ~ 16 MB of float32). */
  maxGradientEntries?: number;
  /** At most this many points enter the hyperparameter fit (default 100); prediction uses all. */
  maxFitPoints?: number;
}

const SQRT5 = Math.sqrt(5);

export class GaussianProcess {
  /** log weight per group (weight = inverse squared length scale). */
  private logW: Float64Array;
  private logSignal = 0;
  private logNoise = Math.log(0.05);
  private X: Float64Array[] = [];
  private alpha = new Float64Array(0);
  private L = new Float64Array(0);
  private n = 0;
  private yMean = 0;
  private yStd = 1;
  private colW: Float64Array;
  private readonly priorMean: number;

  constructor(
    private readonly groups: Int32Array,
    private readonly groupCount: number,
    private readonly options: GpOptions = {},
  ) {
    // start with every parameter equally relevant and typical distances of order one
    this.priorMean = Math.log(1 / Math.max(1, groupCount));
    this.logW = new Float64Array(groupCount).fill(this.priorMean);
    this.colW = new Float64Array(groups.length);
  }

  /** Relevance of each group after the last fit (the kernel weights). */
  weights(): Float64Array {
    return this.logW.map(Math.exp);
  }

  /** Fit to (X, y); `steps` overrides the number of hyperparameter steps for this call (0 keeps them). */
  fit(X: Float64Array[], y: number[], rng: Rng, steps?: number): void {
    const n = X.length;
    this.yMean = y.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - this.yMean) ** 2, 0) / n);
    this.yStd = sd > 0 ? sd : 1;
    const ys = y.map((v) => (v - this.yMean) / this.yStd);
    if (n >= 3 && (steps ?? 1) > 0) this.optimise(X, ys, rng, steps ?? this.options.steps ?? 25);
    this.updateColumnWeights();
    const K = this.kernelMatrix(X);
    const L = cholesky(K, n, 1e-8);
    this.X = X;
    this.n = n;
    this.L = L;
    this.alpha = cholSolve(L, n, Float64Array.from(ys));
  }

  /** Posterior mean and standard deviation, in the units of the y given to fit. */
  predict(x: Float64Array): { mean: number; std: number } {
    const n = this.n;
    const s2 = Math.exp(this.logSignal);
    const k = new Float64Array(n);
    for (let i = 0; i < n; i++) k[i] = s2 * matern(Math.sqrt(this.dist2(x, this.X[i])));
    let mu = 0;
    for (let i = 0; i < n; i++) mu += k[i] * this.alpha[i];
    // v = L^-1 k, var = s2 - v.v
    const L = this.L;
    let vv = 0;
    for (let i = 0; i < n; i++) {
      let s = k[i];
      const row = i * n;
      for (let j = 0; j < i; j++) s -= L[row + j] * k[j];
      k[i] = s / L[row + i];
      vv += k[i] * k[i];
    }
    const variance = Math.max(s2 - vv, 1e-12);
    return { mean: mu * this.yStd + this.yMean, std: Math.sqrt(variance) * this.yStd };
  }

  /** Kernel correlation between two points (1 = identical), used to spread a batch. */
  correlation(a: Float64Array, b: Float64Array): number {
    return matern(Math.sqrt(this.dist2(a, b)));
  }

  private updateColumnWeights(): void {
    for (let c = 0; c < this.groups.length; c++) this.colW[c] = Math.exp(this.logW[this.groups[c]]);
  }

  private dist2(a: Float64Array, b: Float64Array): number {
    let s = 0;
    const w = this.colW;
    for (let c = 0; c < a.length; c++) {
      const d = a[c] - b[c];
      if (d !== 0) s += w[c] * d * d;
    }
    return s;
  }

  private kernelMatrix(X: Float64Array[]): Float64Array {
    const n = X.length;
    const s2 = Math.exp(this.logSignal);
    const noise = Math.exp(this.logNoise);
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      K[i * n + i] = s2 + noise;
      for (let j = 0; j < i; j++) {
        const v = s2 * matern(Math.sqrt(this.dist2(X[i], X[j])));
        K[i * n + j] = v;
        K[j * n + i] = v;
      }
    }
    return K;
  }

  private optimise(Xall: Float64Array[], yall: number[], rng: Rng, steps: number): void {
    const G = this.groupCount;
    const maxEntries = this.options.maxGradientEntries ?? 4e6;
    let idx = Xall.map((_, i) => i);
    const m = Math.min(this.options.maxFitPoints ?? 100, Math.max(30, Math.floor(Math.sqrt(maxEntries / Math.max(1, G)))));
    if (idx.length > m) idx = rng.shuffle(idx).slice(0, m);
    const n = idx.length;
    const X = idx.map((i) => Xall[i]);
    const y = Float64Array.from(idx.map((i) => yall[i]));
    // pairwise squared distance per group (lower triangle), float32 to bound memory
    const pairs = (n * (n - 1)) / 2;
    const D = new Float32Array(pairs * G);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) {
        const a = X[i];
        const b = X[j];
        const base = p * G;
        for (let c = 0; c < a.length; c++) {
          const d = a[c] - b[c];
          if (d !== 0) D[base + this.groups[c]] += d * d;
        }
      }
    }
    const nParams = G + 2;
    const theta = new Float64Array(nParams);
    theta.set(this.logW, 0);
    theta[G] = this.logSignal;
    theta[G + 1] = this.logNoise;
    const mAdam = new Float64Array(nParams);
    const vAdam = new Float64Array(nParams);
    const lr = 0.1;
    const priorSd = 3;
    const grad = new Float64Array(nParams);
    const K = new Float64Array(n * n);
    const C = new Float64Array(pairs);
    const w = new Float64Array(G);
    for (let step = 1; step <= steps; step++) {
      for (let g = 0; g < G; g++) w[g] = Math.exp(theta[g]);
      const s2 = Math.exp(theta[G]);
      const noise = Math.exp(theta[G + 1]) + 1e-6;
      p = 0;
      for (let i = 0; i < n; i++) {
        K[i * n + i] = s2 + noise;
        for (let j = 0; j < i; j++, p++) {
          let r2 = 0;
          const base = p * G;
          for (let g = 0; g < G; g++) r2 += w[g] * D[base + g];
          const r = Math.sqrt(r2);
          const e = Math.exp(-SQRT5 * r);
          const kv = s2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
          K[i * n + j] = kv;
          K[j * n + i] = kv;
          // dK/d(theta_g) = C * w_g * D_g with C = -(5/6) s2 (1 + sqrt5 r) e^{-sqrt5 r}
          C[p] = -(5 / 6) * s2 * (1 + SQRT5 * r) * e;
        }
      }
      let L: Float64Array;
      try {
        L = cholesky(K, n, 1e-8);
      } catch {
        break;
      }
      const alpha = cholSolve(L, n, y);
      const Kinv = cholInverse(L, n);
      // A = alpha alpha^T - K^-1 ; gradient = 1/2 tr(A dK)
      grad.fill(0);
      p = 0;
      let trAM = 0;
      let trA = 0;
      for (let i = 0; i < n; i++) {
        const aii = alpha[i] * alpha[i] - Kinv[i * n + i];
        trA += aii;
        trAM += aii * s2;
        for (let j = 0; j < i; j++, p++) {
          const aij = alpha[i] * alpha[j] - Kinv[i * n + j];
          const kij = K[i * n + j];
          trAM += 2 * aij * kij; // symmetric pair counted twice
          const b = 2 * aij * C[p];
          if (b === 0) continue;
          const base = p * G;
          for (let g = 0; g < G; g++) grad[g] += b * D[base + g];
        }
      }
      for (let g = 0; g < G; g++) grad[g] = 0.5 * grad[g] * w[g] - (theta[g] - this.priorMean) / (priorSd * priorSd);
      grad[G] = 0.5 * trAM - theta[G] / (priorSd * priorSd);
      grad[G + 1] = 0.5 * (noise - 1e-6) * trA - (theta[G + 1] - Math.log(0.05)) / (priorSd * priorSd);
      // Adam ascent on the log marginal likelihood
      for (let q = 0; q < nParams; q++) {
        mAdam[q] = 0.9 * mAdam[q] + 0.1 * grad[q];
        vAdam[q] = 0.999 * vAdam[q] + 0.001 * grad[q] * grad[q];
        const mh = mAdam[q] / (1 - 0.9 ** step);
        const vh = vAdam[q] / (1 - 0.999 ** step);
        theta[q] += (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
      for (let g = 0; g < G; g++) theta[g] = Math.min(8, Math.max(-12, theta[g]));
      theta[G] = Math.min(4, Math.max(-4, theta[G]));
      theta[G + 1] = Math.min(1, Math.max(Math.log(1e-4), theta[G + 1]));
    }
    this.logW = theta.slice(0, G);
    this.logSignal = theta[G];
    this.logNoise = theta[G + 1];
  }
}

function matern(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/** Lower Cholesky factor of a symmetric positive definite n x n matrix (row-major), adding jitter if needed. */
export function cholesky(A: Float64Array, n: number, jitter: number): Float64Array {
  for (let attempt = 0; attempt < 6; attempt++) {
    const extra = attempt === 0 ? 0 : jitter * 10 ** (attempt * 2);
    const L = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        let s = A[ri + j] + (i === j ? extra : 0);
        for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          L[ri + i] = Math.sqrt(s);
        } else L[ri + j] = s / L[rj + j];
      }
    }
    if (ok) return L;
  }
  throw new Error("matrix is not positive definite");
}

/** Solve (L L^T) x = b. */
export function cholSolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const z = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = z[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * z[k];
    z[i] = s / L[i * n + i];
  }
  return z;
}

/** (L L^T)^-1 as a full row-major matrix. */
function cholInverse(L: Float64Array, n: number): Float64Array {
  // invert L (lower triangular), then K^-1 = L^-T L^-1
  const Li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Li[i * n + i] = 1 / L[i * n + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[i * n + k] * Li[k * n + j];
      Li[i * n + j] = -s / L[i * n + i];
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += Li[k * n + i] * Li[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
