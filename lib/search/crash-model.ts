/**
 * The probability that a configuration runs at all (does not crash at build, boot or run time), as an
 * L2-regularised logistic regression on the encoded configuration: crashes in the recorded pools come
 * from particular parameter values, which a linear model over one-hot columns picks up from few
 * examples. Fitted by full-batch Adam, warm-started from the previous fit. With no crash (or no success)
 * observed it returns the Laplace-smoothed success rate, so it never claims certainty it cannot have.
 */
export class CrashModel {
  private w: Float64Array;
  private b = 0;
  private constant: number | null = null;

  constructor(
    private readonly width: number,
    private readonly l2 = 1,
    private readonly steps = 60,
    private readonly warmSteps = 20,
  ) {
    this.w = new Float64Array(width);
  }

  fit(X: Float64Array[], ok: boolean[]): void {
    const n = X.length;
    const okCount = ok.filter(Boolean).length;
    if (okCount === 0 || okCount === n) {
      this.constant = (okCount + 1) / (n + 2);
      return;
    }
    this.constant = null;
    const d = this.width;
    const m = new Float64Array(d + 1);
    const v = new Float64Array(d + 1);
    const g = new Float64Array(d + 1);
    const lr = 0.1;
    const cold = this.b === 0;
    if (cold) this.b = Math.log(okCount / (n - okCount));
    const steps = cold ? this.steps : this.warmSteps;
    for (let step = 1; step <= steps; step++) {
      g.fill(0);
      for (let i = 0; i < n; i++) {
        const x = X[i];
        let z = this.b;
        for (let c = 0; c < d; c++) z += this.w[c] * x[c];
        const r = 1 / (1 + Math.exp(-z)) - (ok[i] ? 1 : 0);
        for (let c = 0; c < d; c++) if (x[c] !== 0) g[c] += r * x[c];
        g[d] += r;
      }
      for (let c = 0; c < d; c++) g[c] = g[c] / n + (this.l2 / n) * this.w[c];
      g[d] /= n;
      for (let q = 0; q <= d; q++) {
        m[q] = 0.9 * m[q] + 0.1 * g[q];
        v[q] = 0.999 * v[q] + 0.001 * g[q] * g[q];
        const step_ = (lr * (m[q] / (1 - 0.9 ** step))) / (Math.sqrt(v[q] / (1 - 0.999 ** step)) + 1e-8);
        if (q < d) this.w[q] -= step_;
        else this.b -= step_;
      }
    }
  }

  /** Probability of running without a crash. */
  pOk(x: Float64Array): number {
    if (this.constant !== null) return this.constant;
    let z = this.b;
    for (let c = 0; c < this.width; c++) z += this.w[c] * x[c];
    return 1 / (1 + Math.exp(-z));
  }
}
