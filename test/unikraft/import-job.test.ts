// wayfinder import-job on every original Unikraft job of ../shared/wayfinder-jobs, and the converter's parts.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../harness/cli/main";
import { importJobText } from "../../harness/cli/commands/import-job";
import { parseJob } from "../../harness/jobs/job";
import { evaluatorForJob } from "../../harness/run/evaluator-for-job";
import { parseKraftScript, shellWords } from "../../harness/unikraft/import-wayfinder-unikraft";

const root = join(import.meta.dirname, "../../../shared/wayfinder-jobs");
const files = existsSync(root)
  ? readdirSync(root).filter((d) => d.startsWith("unikraft-")).flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".yaml")).map((f) => join(root, d, f)))
  : [];
const convert = (rel: string) => {
  const { text, unconverted } = importJobText(join(root, rel));
  const job = parseJob(text, rel);
  return { text, unconverted, job, target: job.target as Record<string, any> };
};

test("shell words keep quoted groups; the kraft configure flags and the if-blocks are read from a script", () => {
  assert.deepEqual(shellWords(`a "b c" --cmd="x; y" 'd e'`), ["a", '"b c"', '--cmd="x; y"', "'d e'"]);
  const s = parseKraftScript(`cd /x
if [[ \${ALLOC} == "tlsf" ]]; then
  K+=("--yes LIBTLSF")
  K+=("--no LIBUKALLOCBBUDDY")
  O+=("--set LIBTLSF_SLI=\${SLI}")
  L+=("-u tlsf@0.9.0")
fi
kraft -v configure -F \\
  -u unikraft@0.9.0 -u lib/nginx@0.9.0 --arch x86_64 --plat kvm \\
  --set HZ=$HZ --set UK_NAME="redis" \${K[@]} --yes LIBCPIO --no LIB9PFS`);
  assert.deepEqual(s.configure, {
    libs: ["unikraft@0.9.0", "lib/nginx@0.9.0"], sets: [{ symbol: "HZ", value: "$HZ" }, { symbol: "UK_NAME", value: "redis" }],
    yes: ["LIBCPIO"], no: ["LIB9PFS"], arch: "x86_64", plat: "kvm", arrays: ["K"], other: [],
  });
  assert.deepEqual(s.blocks, [{ param: "ALLOC", value: "tlsf", flags: { libs: ["tlsf@0.9.0"], sets: [{ symbol: "LIBTLSF_SLI", value: "${SLI}" }], yes: ["LIBTLSF"], no: ["LIBUKALLOCBBUDDY"], arrays: [], other: [] } }]);
});

test("every original Unikraft job converts into a job this project reads, with a unikraft target and a list of what was not converted", (t) => {
  if (files.length === 0) return t.skip(`no original job files at ${root} (the shared reference material)`);
  assert.equal(files.length, 5);
  for (const f of files) {
    const { text, unconverted } = importJobText(f);
    const job = parseJob(text, f);
    assert.equal(job.targetKind, "unikraft", f);
    assert.ok(job.parameters.some((p) => p.phase === "compile"), `${f}: Kconfig parameters are compile-time`);
    assert.ok(unconverted.length > 0 && text.startsWith("# Converted by `wayfinder import-job`"), f);
    for (const n of unconverted) assert.ok(text.includes(n.slice(0, 60)), `${f}: note in the header: ${n}`);
    // The harness accepts the target (validation at the job's lines; the checkout is only needed on the first evaluation).
    assert.equal(evaluatorForJob(job).kind, "unikraft", f);
  }
});

test("unikraft-nginx simple: lwIP values as Kconfig (ACCESS_LOG as LIBDEVFS_DEV_STDOUT), nginx.conf values as application, wrk -c from NUM_PARALLEL_CONNS", (t) => {
  if (!existsSync(join(root, "unikraft-nginx/simple-job.yaml"))) return t.skip("missing unikraft-nginx/simple-job.yaml");
  const { job, target, unconverted } = convert("unikraft-nginx/simple-job.yaml");
  const phase = (n: string) => job.parameters.find((p) => p.name === n)?.phase;
  assert.equal(phase("LWIP_NUM_TCPCON"), "compile");
  assert.equal(phase("LWIP_POOLS"), "compile");
  assert.equal(phase("ACCESS_LOG"), "compile");
  assert.equal(phase("KEEPALIVE_TIMEOUT"), "application");
  assert.equal(phase("PAYLOAD_SIZE"), "application");
  assert.equal(phase("NUM_PARALLEL_CONNS"), "runtime");
  assert.deepEqual(target.checkout, { app: "apps/nginx", libs: ["nginx", "newlib", "pthread-embedded", "lwip"] });
  assert.deepEqual(target.build.kconfig, { LIBVFSCORE_ROOTFS_INITRD: "y", LIBCPIO: "y", LIB9PFS: "n", LIBUK9P: "n" });
  assert.deepEqual(target.build.options, { ACCESS_LOG: "LIBDEVFS_DEV_STDOUT" });
  assert.equal(target.build.image, "build/nginx_kvm-x86_64");
  assert.deepEqual(target.rootfs, { dir: "fs0", files: [] });
  assert.deepEqual(target.vm, { memoryMiB: 20, cpus: 1, accel: "auto" });
  assert.deepEqual(target.net, { guestPort: 80 });
  assert.deepEqual(target.benchmark, { tool: "wrk", argv: ["-t1", "-c{{NUM_PARALLEL_CONNS}}", "-d30s", "--timeout", "2s", "http://127.0.0.1:{{PORT}}/"] });
  assert.deepEqual(job.objectives.map((o) => [o.metric, o.direction]), [["throughput", "max"]]);
  assert.ok(unconverted.some((n) => /KEEPALIVE_TIMEOUT/.test(n) && /\/nginx-\$OPEN_FILE_CACHE\.conf/.test(n) && /target.rootfs.files/.test(n)), unconverted.join("\n"));
  assert.ok(unconverted.some((n) => /monitor "power"/.test(n)));
  assert.ok(unconverted.some((n) => /pinned unikraft@0.9.0, lib\/nginx@0.9.0/.test(n)));
});

test("a converted job whose templates are missing is refused before any build, naming the parameters that reach nothing", async (t) => {
  if (!existsSync(join(root, "unikraft-nginx/simple-job.yaml"))) return t.skip("missing unikraft-nginx/simple-job.yaml");
  const { job } = convert("unikraft-nginx/simple-job.yaml");
  const e = evaluatorForJob(job, { env: { WAYFINDER_UNIKRAFT_DIR: "/nonexistent" } });
  await assert.rejects(e.evaluate({ config: job.space.defaultConfig(), seq: 0, repeat: 0, signal: new AbortController().signal }),
    /parameter\(s\) KEEPALIVE_TIMEOUT, .*PAYLOAD_SIZE reach nothing/);
});

test("unikraft-nginx big: ALLOCATOR's six script blocks become build.choices (the repeated tinyalloc block merged), conditional options stay compile-time", (t) => {
  if (!existsSync(join(root, "unikraft-nginx/big-job.yaml"))) return t.skip("missing unikraft-nginx/big-job.yaml");
  const { job, target, unconverted } = convert("unikraft-nginx/big-job.yaml");
  const choices = target.build.choices.ALLOCATOR;
  assert.deepEqual(Object.keys(choices).sort(), ["bbuddy", "mimalloc", "poolalloc", "regalloc", "tinyalloc", "tlsf"]);
  assert.deepEqual(choices.tlsf, { LIBTLSF: "y", LIBUKALLOCREGION: "n", LIBUKALLOCPOOL: "n", LIBUKALLOCBBUDDY: "n", LIBTINYALLOC: "n", LIBMIMALLOC: "n" });
  assert.equal(choices.tinyalloc.LIBTINYALLOC, "y");
  assert.ok(!unconverted.some((n) => /sets .* to both/.test(n)), "the two tinyalloc blocks agree");
  assert.deepEqual(target.checkout.libs, ["nginx", "newlib", "pthread-embedded", "lwip", "tinyalloc", "mimalloc", "tlsf"]);
  const align = job.parameters.find((p) => p.name === "LIBTINYALLOC_ALIGNMENT")!;
  assert.equal(align.phase, "compile");
  assert.deepEqual(align.condition, { op: "eq", name: "ALLOCATOR", value: "tinyalloc" });
  assert.equal(job.parameters.find((p) => p.name === "HZ")!.phase, "compile");
  assert.equal(job.parameters.length, 33);
});

test("unikraft-redis: redis-benchmark for the four results, redis.conf values as application, the undefined $ACCESS_LOG reported", (t) => {
  if (!existsSync(join(root, "unikraft-redis/job.yaml"))) return t.skip("missing unikraft-redis/job.yaml");
  const { job, target, unconverted } = convert("unikraft-redis/job.yaml");
  assert.deepEqual(target.benchmark, { tool: "redis-benchmark", argv: ["-h", "127.0.0.1", "-p", "{{PORT}}", "-t", "get,set,lpush,lpop", "-n", "100000", "--csv"] });
  assert.deepEqual(target.net, { guestPort: 6379 });
  assert.equal(target.build.kconfig.UK_NAME, "redis");
  assert.equal(target.build.options, undefined);
  assert.equal(job.objectives[0]!.metric, "throughput-get");
  assert.equal(job.parameters.find((p) => p.name === "REDIS_MAX_MEMORY_POLICY")!.phase, "application");
  assert.ok(unconverted.some((n) => /LIBDEVFS_DEV_STDOUT=\$ACCESS_LOG: ACCESS_LOG is not a parameter/.test(n)));
  assert.ok(unconverted.some((n) => /throughput-set, throughput-lpush, throughput-lpop are recorded as metrics/.test(n)));
});

test("unikraft-sqlite: the PRAGMA parameters reach the unikernel's arguments; the unknown benchmark output is flagged as a placeholder", (t) => {
  if (!existsSync(join(root, "unikraft-sqlite/job.yaml"))) return t.skip("missing unikraft-sqlite/job.yaml");
  const { job, target, unconverted } = convert("unikraft-sqlite/job.yaml");
  assert.equal(target.benchmark.tool, "console");
  assert.equal(target.net, undefined);
  const cmd = (target.appArgs as string[]).find((a) => a.startsWith("--cmd="))!;
  assert.match(cmd, /^--cmd="PRAGMA automatic_index=\{\{AUTOMATIC_INDEX\}\}; PRAGMA case_sensitive_like=\{\{CASE_SENSITIVE_LIKE\}\};/);
  assert.equal(job.parameters.find((p) => p.name === "AUTOMATIC_INDEX")!.phase, "boot");
  assert.ok(unconverted.some((n) => /placeholder pattern/.test(n)));
  assert.equal(target.vm.memoryMiB, 512);
});

test("the CLI writes --out, refuses to overwrite without --force, and refuses a Linux job with a pointer to job import", async (t) => {
  const f = join(root, "unikraft-nginx/simple-job.yaml");
  if (!existsSync(f)) return t.skip(`missing ${f}`);
  const dir = mkdtempSync(join(tmpdir(), "wf-import-"));
  const out = join(dir, "job.yaml");
  const errors: string[] = [];
  const origError = console.error;
  console.error = (...a: unknown[]) => void errors.push(a.join(" "));
  try {
    assert.equal(await main(["import-job", f, "--out", out]), 0);
    assert.equal(parseJob(readFileSync(out, "utf8"), out).targetKind, "unikraft");
    assert.equal(await main(["import-job", f, "--out", out]), 2);
    assert.ok(errors.some((e) => /exists; give --force/.test(e)));
    assert.equal(await main(["import-job", f, "--out", out, "--force"]), 0);
    assert.equal(await main(["import-job", join(root, "linux-nginx/job.yaml")]), 2);
    assert.ok(errors.some((e) => /not a Unikraft job .*`wayfinder job import`/.test(e)), errors.join("\n"));
    assert.equal(await main(["import-job"]), 2);
  } finally {
    console.error = origError;
    rmSync(dir, { recursive: true, force: true });
  }
});
