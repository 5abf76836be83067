/** Standard normal density and distribution function (erfc-based, |error| < 1.2e-7), for acquisitions. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

export function normalCdf(z: number): number {
  // Numerical Recipes' erfc approximation (Chebyshev fit), accurate to about 1.2e-7 everywhere.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -x * x -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Expected improvement over `best` (maximisation) of a normal prediction. */
export function expectedImprovement(mean: number, std: number, best: number, xi: number): number {
  const imp = mean - best - xi;
  if (std <= 1e-12) return Math.max(imp, 0);
  const z = imp / std;
  return imp * normalCdf(z) + std * normalPdf(z);
}
