/**
 * A small unified diff of two texts (LCS over lines), enough for config files of a few hundred lines,
 * so `wayfinder best` can show what to change as a reviewer would read it.
 */
export interface DiffOptions {
  fromLabel: string;
  toLabel: string;
  /** Unchanged lines shown around each change (default 2). */
  context?: number;
}

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

function diffOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ops.push({ kind: " ", line: a[i], a: i++, b: j++ }); }
    // Deletions before insertions, as diff(1) prints a replaced line.
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) { ops.push({ kind: "-", line: a[i], a: i++, b: j }); }
    else { ops.push({ kind: "+", line: b[j], a: i, b: j++ }); }
  }
  return ops;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Unified diff text, or "" when the texts are equal. */
export function unifiedDiff(from: string, to: string, opts: DiffOptions): string {
  const ops = diffOps(splitLines(from), splitLines(to));
  if (ops.every((o) => o.kind === " ")) return "";
  const ctx = opts.context ?? 2;
  const changed = ops.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
  // Group changes whose context windows touch into hunks.
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const lo = Math.max(0, k - ctx);
    const hi = Math.min(ops.length - 1, k + ctx);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else hunks.push([lo, hi]);
  }
  const out = [`--- ${opts.fromLabel}`, `+++ ${opts.toLabel}`];
  for (const [lo, hi] of hunks) {
    const slice = ops.slice(lo, hi + 1);
    const aLen = slice.filter((o) => o.kind !== "+").length;
    const bLen = slice.filter((o) => o.kind !== "-").length;
    const aStart = aLen ? slice.find((o) => o.kind !== "+")!.a + 1 : slice[0].a;
    const bStart = bLen ? slice.find((o) => o.kind !== "-")!.b + 1 : slice[0].b;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of slice) out.push(o.kind + o.line);
  }
  return out.join("\n") + "\n";
}
