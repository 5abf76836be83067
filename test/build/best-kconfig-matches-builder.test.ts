// The Kconfig fragment `best` shows for a compile-time study is rendered without a kernel tree (the job's
// parameter types stand in for the Kconfig types). This checks it against what the kernel builder really
// wrote: for every evaluation of the committed RISC-V footprint studies whose build request is still in
// the local build cache (requests/<kernelRequest>.json, keyed by the evaluation's provenance), the review
// fragment must equal the builder's requested values rendered as .config, and for a successful build
// every value must be the one in the .config the kernel was built from. A clean checkout has no build cache: the
// test then skips, saying so.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { renderKernelBuildForReview } from "../../harness/run/render-for-review";
import { runnableJobFromText } from "../../harness/run/runnable-job";
import { SqliteStudyStore } from "../../harness/store";
import { defaultCacheDir } from "../../harness/vm/cache-dir";
import { parseDotConfig, renderConfigFragment, sameConfigValue } from "../../lib/kconfig";

const root = join(import.meta.dirname, "../..");

test("the review's Kconfig fragment equals what the kernel builder requested and built (local build cache)", (t) => {
  const requests = join(defaultCacheDir(), "kernel-builds", "requests");
  let compared = 0;
  let inResolvedConfig = 0;
  for (const study of ["deeptune", "random"]) {
    const store = SqliteStudyStore.open(join(root, `datasets/harness/riscv-footprint-${study}.sqlite`), { readonly: true });
    const info = store.info();
    const evals = store.evaluations();
    store.close();
    const rj = runnableJobFromText(info.jobText, info.jobPath);
    const render = renderKernelBuildForReview(rj.target.build!, Object.fromEntries(rj.job.parameters.map((p) => [p.name, p.type])));
    for (const e of evals) {
      const key = e.provenance?.kernelRequest;
      if (typeof key !== "string" || !existsSync(join(requests, `${key}.json`))) continue;
      const record = JSON.parse(readFileSync(join(requests, `${key}.json`), "utf8")) as { requested: Record<string, string>; config?: string };
      const fragment = render(e.config);
      assert.equal(fragment, renderConfigFragment(record.requested), `${study} evaluation #${e.seq} (request ${key})`);
      compared++;
      if (e.outcome?.ok && record.config && existsSync(record.config)) {
        // make olddefconfig keeps every requested value of a successful build, but a symbol whose
        // dependencies are off is left out of .config altogether, which means n (sameConfigValue)
        const built = parseDotConfig(readFileSync(record.config, "utf8"), record.config);
        for (const [sym, v] of parseDotConfig(fragment, "review fragment")) {
          assert.ok(sameConfigValue(v, built.get(sym)), `${study} #${e.seq}: ${sym}=${v} but ${record.config} has ${built.get(sym) ?? "no line"}`);
        }
        inResolvedConfig++;
      }
    }
  }
  if (compared === 0) {
    t.skip(`no build request of the RISC-V footprint studies in ${requests} (a clean checkout has no kernel build cache; run the linux-riscv-footprint job to fill it)`);
    return;
  }
  t.diagnostic(`${compared} evaluations compared with the builder's requests, ${inResolvedConfig} with the built .config`);
});
