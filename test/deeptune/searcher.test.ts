import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSearcher } from "../../lib/search/registry";
import type { Config, Observation } from "../../lib/search/searcher";
import { createSpace } from "../../lib/space/space";
import { WayfinderError } from "../../lib/errors";
import { DeepTuneSearcher } from "../../lib/deeptune/deeptune-searcher";
import { searcherContract, contractSpace, contractObjective } from "../search/contract";
import { Rng } from "../../lib/random";

// Small and quick: the contract is about behaviour, not prediction quality.
const quick = { hidden: "16", poolSize: 200, initialSteps: 10, steps: 2, initial: 5 };

searcherContract("deeptune", (options) => createSearcher("deeptune", { ...options, settings: { ...quick, ...options.settings } }));

test("bad settings are clear errors naming the setting and the valid range", async () => {
  const space = contractSpace();
  const make = (settings: Record<string, unknown>) => createSearcher("deeptune", { space, direction: "max", seed: 1, settings });
  await assert.rejects(make({ alpha: 1.5 }), (e: Error) => e instanceof WayfinderError && /alpha = 1.5 is invalid; expected a number >= 0 <= 1/.test(e.message));
  await assert.rejects(make({ alpha: "-0.1" }), /alpha = "-0.1" is invalid/);
  await assert.rejects(make({ gamma: 0 }), /gamma = 0 is invalid; expected a number > 0/);
  await assert.rejects(make({ gamma: "-2" }), /gamma = -2 is invalid/);
  await assert.rejects(make({ wrapPenalty: 0 }), /wrapPenalty = 0 is invalid; expected a number in \(0, 1\]/);
  await assert.rejects(make({ wrapPenalty: 1.5 }), /wrapPenalty = 1.5 is invalid/);
  await assert.rejects(make({ hidden: "64,x" }), /hidden = "64,x" is invalid/);
  await assert.rejects(make({ transferScope: "perf" }), /transferScope = "perf" is invalid; expected one of all, crash/);
  await assert.rejects(make({ transferFrom: join(tmpdir(), "no-such-deeptune-model") }), /no model.json/);
});

/** A pool where crashes are a clear region (X > 0.6) and performance peaks at Y = 7. */
function toyPool() {
  const space = createSpace([
    { name: "X", phase: "runtime", type: "integer", min: 0, max: 99 },
    { name: "Y", phase: "runtime", type: "integer", min: 0, max: 19 },
    { name: "NOISE", phase: "runtime", type: "choice", values: ["a", "b", "c"] },
  ]);
  const pool: Config[] = [];
  for (let x = 0; x < 100; x += 3) for (let y = 0; y < 20; y++) pool.push({ X: x, Y: y, NOISE: ["a", "b", "c"][(x + y) % 3] });
  const outcome = (c: Config): Observation["outcome"] => (Number(c.X) > 60 ? { ok: false, phase: "boot" } : { ok: true, value: 100 - (Number(c.Y) - 7) ** 2 + Number(c.X) / 100 });
  return { space, pool, outcome };
}

async function run(s: { ask(k?: number): Promise<Config[]>; tell(o: Observation[]): Promise<void> }, outcome: (c: Config) => Observation["outcome"], n: number) {
  let crashes = 0;
  let best = -Infinity;
  for (let i = 0; i < n; i++) {
    const [c] = await s.ask(1);
    const o = outcome(c);
    if (!o.ok) crashes++;
    else best = Math.max(best, o.value);
    await s.tell([{ config: c, outcome: o }]);
  }
  return { crashes, best };
}

test("replay on a toy pool: learns the crash region and the optimum; a saved model transfers and avoids crashes from the start", async () => {
  const { space, pool, outcome } = toyPool();
  const crashShare = pool.filter((c) => !outcome(c).ok).length / pool.length; // ~0.39
  const settings = { hidden: "32", poolSize: 1000, initialSteps: 80, steps: 10, initial: 10 };
  const s = (await createSearcher("deeptune", { space, direction: "max", seed: 4, pool, settings })) as DeepTuneSearcher;
  assert.equal(s.backend?.name, "wasm");
  const r = await run(s, outcome, 60);
  assert.ok(r.crashes / 60 < crashShare * 0.6, `crash rate ${r.crashes / 60} vs pool ${crashShare}`);
  assert.ok(r.best >= 99, `best ${r.best}`);
  const dir = mkdtempSync(join(tmpdir(), "dt-transfer-"));
  try {
    s.saveModel(dir);
    s.dispose();
    assert.ok(existsSync(join(dir, "model.json")) && existsSync(join(dir, "weights.bin")));
    // Another "application": one more parameter the source never saw, one parameter fewer.
    const target = createSpace([
      { name: "X", phase: "runtime", type: "integer", min: 0, max: 99 },
      { name: "Y", phase: "runtime", type: "integer", min: 0, max: 19 },
      { name: "EXTRA", phase: "runtime", type: "boolean" },
    ]);
    const tpool: Config[] = pool.map((c, i) => ({ X: c.X, Y: c.Y, EXTRA: i % 2 ? "y" : "n" }));
    const { initial: _untransferred, ...transferred } = settings; // no random picks: start from the model
    const t = (await createSearcher("deeptune", { space: target, direction: "max", seed: 5, pool: tpool, settings: { ...transferred, transferFrom: dir } })) as DeepTuneSearcher;
    assert.deepEqual(t.transfer && { matched: t.transfer.matchedColumns, columns: t.transfer.columns }, { matched: 2, columns: 3 });
    const first = await run(t, outcome, 15);
    assert.ok(first.crashes <= 2, `with transfer, ${first.crashes} of the first 15 crashed`);
    t.dispose();
    // Scope crash: the performance model starts fresh, the crash knowledge still arrives.
    const c = (await createSearcher("deeptune", { space: target, direction: "max", seed: 5, pool: tpool, settings: { ...transferred, transferFrom: dir, transferScope: "crash" } })) as DeepTuneSearcher;
    assert.equal(c.transfer?.scope, "crash");
    const crashOnly = await run(c, outcome, 15);
    c.dispose();
    // The same start without the source model: no random picks either, so only the knowledge differs.
    const u = await createSearcher("deeptune", { space: target, direction: "max", seed: 5, pool: tpool, settings: { ...transferred, initial: 0 } });
    const untransferred = await run(u, outcome, 15);
    u.dispose?.();
    assert.ok(crashOnly.crashes <= 2 && crashOnly.crashes < untransferred.crashes,
      `with the crash knowledge transferred ${crashOnly.crashes} of the first 15 crashed, without it ${untransferred.crashes}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The Linux pools' crash shape: one 0/1 parameter (SAFE) decides whether a configuration can crash at
 * all (never when set, half the time otherwise), beside 80 irrelevant parameters; performance is noise.
 */
function sparseCrashPool() {
  const params = [
    { name: "SAFE", phase: "runtime" as const, type: "boolean" as const },
    ...Array.from({ length: 80 }, (_, j) => ({ name: `N${j}`, phase: "runtime" as const, type: "integer" as const, min: 0, max: 999 })),
  ];
  const space = createSpace(params);
  const rng = new Rng(17);
  const pool: Config[] = [];
  const outcomes = new Map<string, Observation["outcome"]>();
  for (let i = 0; i < 1500; i++) {
    const c: Config = { SAFE: rng.next() < 0.5 ? "y" : "n" };
    for (let j = 0; j < 80; j++) c[`N${j}`] = rng.int(0, 999);
    pool.push(c);
    outcomes.set(space.key(c), c.SAFE === "y" || rng.next() < 0.5 ? { ok: true, value: 100 + rng.normal() } : { ok: false, phase: "benchmark" });
  }
  return { space, pool, outcome: (c: Config) => outcomes.get(space.key(c))! };
}

test("crashes that hinge on one parameter among many: the sparse crash model gets the say and the search stops crashing sooner", async () => {
  const { space, pool, outcome } = sparseCrashPool();
  const settings = { hidden: "32", poolSize: 800, initialSteps: 40, steps: 8, initial: 10 };
  const crashesAfter = async (extra: Record<string, unknown>) => {
    const s = (await createSearcher("deeptune", { space, direction: "max", seed: 3, pool, settings: { ...settings, ...extra } })) as DeepTuneSearcher;
    await run(s, outcome, 40);
    const late = await run(s, outcome, 40);
    const mixture = s.crashMixture;
    s.dispose();
    return { crashes: late.crashes, mixture };
  };
  const withSparse = await crashesAfter({});
  const networkOnly = await crashesAfter({ crashL1: 0 });
  // The mixture rests on the picks' outcomes and favours the model that predicted them better.
  assert.equal(withSparse.mixture.outcomes, 40);
  assert.ok(withSparse.mixture.sparse > 0.5, `sparse model's weight ${withSparse.mixture.sparse}`);
  assert.equal(networkOnly.mixture.outcomes, 0, "no sparse model, no mixture");
  assert.ok(withSparse.crashes < networkOnly.crashes, `iterations 41-80 crashed ${withSparse.crashes} times with the sparse model, ${networkOnly.crashes} without`);
  assert.ok(withSparse.crashes <= 4, `iterations 41-80 crashed ${withSparse.crashes} times (a quarter of the pool crashes)`);
});

test("an all-crash history still yields distinct suggestions, and batch picks are spread out", async () => {
  const { space, pool } = toyPool();
  const s = await createSearcher("deeptune", { space, direction: "max", seed: 8, pool, settings: { ...quick, initial: 3 } });
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const batch = await s.ask(4);
    assert.equal(batch.length, 4);
    for (const c of batch) seen.add(space.key(c));
    await s.tell(batch.map((config) => ({ config, outcome: { ok: false, phase: "boot" } })));
  }
  assert.equal(seen.size, 32);
  s.dispose?.();
});

test("saveModel setting writes the model when the searcher is disposed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dt-save-"));
  try {
    const space = contractSpace();
    const s = await createSearcher("deeptune", { space, direction: "max", seed: 1, settings: { ...quick, saveModel: join(dir, "m") } });
    for (let i = 0; i < 7; i++) {
      const [c] = await s.ask(1);
      await s.tell([{ config: c, outcome: contractObjective(c) }]);
    }
    s.dispose?.();
    s.dispose?.(); // safe twice
    assert.ok(existsSync(join(dir, "m", "model.json")));
    // Starting from the saved model: no random picks by default, `initial` random picks when asked for.
    const scored = async (settings: Record<string, unknown>) => {
      const { initial: _untransferred, ...rest } = quick; // quick sets initial for untransferred searches
      const t = (await createSearcher("deeptune", { space, direction: "max", seed: 2, settings: { ...rest, transferFrom: join(dir, "m"), ...settings } })) as DeepTuneSearcher;
      const out: boolean[] = [];
      for (let i = 0; i < 4; i++) {
        const [c] = await t.ask(1);
        out.push(t.lastTimings.candidates > 0); // model picks score candidates, random picks do not
        await t.tell([{ config: c, outcome: contractObjective(c) }]);
      }
      t.dispose();
      return out;
    };
    assert.deepEqual(await scored({}), [true, true, true, true]);
    assert.deepEqual(await scored({ initial: 2 }), [false, false, true, true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
