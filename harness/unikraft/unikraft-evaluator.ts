/**
 * The run loop's Evaluator for a Unikraft target: one call builds (or reuses) the image for the
 * configuration's compile-time values, packs the initrd with its application files, boots the unikernel
 * in QEMU with a forwarded port, waits for the application to answer, runs the benchmark tool from the
 * host and classifies the outcome (classify-unikraft-run.ts). The checkout, its Kconfig symbols, QEMU
 * and the benchmark tool are checked once, on the first call, so a broken setup is one clear error
 * (a thrown WayfinderError, which the loop records as a harness failure) rather than many outcomes.
 */
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { WayfinderError, quote } from "../../lib/errors";
import { normalizeConfigRequest, quoteConfigString, type KconfigTree, type RequestedValue } from "../../lib/kconfig";
import type { Config } from "../../lib/search/searcher";
import type { Parameter } from "../../lib/space/parameter";
import type { ParamStatus } from "../store/study-store";
import type { EvaluationReport, Evaluator } from "../run/evaluator";
import { defaultCacheDir } from "../vm/cache-dir";
import { findQemu } from "../vm/preflight";
import { parseBenchmarkOutput } from "./benchmark-metrics";
import { classifyUnikraftRun, type UnikraftRunTrace } from "./classify-unikraft-run";
import { renderArgs, unikraftCommandLine } from "./command-line";
import { unikraftKconfigRequest } from "./kconfig-request";
import { unikernelQemuArgv } from "./qemu-argv";
import { readUnikraftKconfig } from "./read-unikraft-kconfig";
import { freePort, probeOnce } from "./ready-probe";
import { readRootfsDir, renderRootfsFiles, rootfsCpio } from "./rootfs";
import { runBenchmarkTool } from "./run-benchmark-tool";
import { buildUnikernel, type UnikraftBuildResult } from "./unikraft-builder";
import { unboundParameters } from "./unbound-parameters";
import { startUnikernel } from "./unikernel-process";
import { assertUnikraftCheckout, resolveUnikraftPaths, type UnikraftPaths } from "./unikraft-paths";
import type { UnikraftTarget } from "./unikraft-target";

export interface UnikraftEvaluatorOptions {
  target: UnikraftTarget;
  /** The job's parameters (phases decide which values go to Kconfig). */
  parameters: readonly Parameter[];
  objective: string;
  cacheDir?: string;
  env?: Record<string, string | undefined>;
  onNote?: (note: string) => void;
}

interface Setup {
  paths: UnikraftPaths;
  tree?: KconfigTree;
  qemu: string;
  accel: "kvm" | "tcg";
  tool?: string;
  cacheDir: string;
}

/** A requested value in .config spelling when no Kconfig tree could be read (numbers and y/n/m as is, else a quoted string). */
export function spellKconfigValue(v: RequestedValue): string {
  const s = typeof v === "boolean" ? (v ? "y" : "n") : String(v);
  if (/^(y|n|m|-?\d+|0x[0-9a-fA-F]+)$/.test(s) || /^".*"$/.test(s)) return s;
  return quoteConfigString(s);
}

/** Problems of the job's Kconfig mapping against the checkout's symbols (empty when all exist). */
export function mappingProblems(target: UnikraftTarget, compileParams: readonly string[], tree: KconfigTree): string[] {
  const problems: string[] = [];
  const check = (symbol: string, from: string) => {
    if (!tree.symbols.has(symbol)) problems.push(`${from}: Kconfig symbol ${symbol} is not defined by any Config.uk of the checkout (core, listed libs, app)`);
  };
  for (const s of Object.keys(target.build.kconfig)) check(s, `target.build.kconfig.${s}`);
  for (const p of compileParams) {
    if (target.build.notKconfig.includes(p)) continue;
    const choice = target.build.choices[p];
    if (choice) for (const [v, sets] of Object.entries(choice)) for (const s of Object.keys(sets)) check(s, `target.build.choices.${p}.${v}`);
    else check(target.build.options[p] ?? p, `parameter ${p}${target.build.options[p] ? ` (target.build.options)` : ""}`);
  }
  return problems;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function unikraftEvaluator(opts: UnikraftEvaluatorOptions): Evaluator {
  const { target } = opts;
  const compileParams = opts.parameters.filter((p) => p.phase === "compile").map((p) => p.name);
  let setup: Setup | undefined;
  const init = (): Setup => {
    if (setup) return setup;
    const unbound = unboundParameters(target, opts.parameters);
    if (unbound.length) {
      throw new WayfinderError(`parameter(s) ${unbound.join(", ")} reach nothing: they are not Kconfig values and no rootfs template, appArgs or benchmark argv names them as {{NAME}}; add them to a template (e.g. target.rootfs.files) or pin them (fixed:)`);
    }
    const paths = resolveUnikraftPaths(target.checkout, opts.env ?? process.env);
    assertUnikraftCheckout(paths);
    if (target.rootfs?.dir && !(existsSync(join(paths.app, target.rootfs.dir)) && statSync(join(paths.app, target.rootfs.dir)).isDirectory())) {
      throw new WayfinderError(`target.rootfs.dir ${quote(target.rootfs.dir)}: ${join(paths.app, target.rootfs.dir)} is not a directory`);
    }
    let tree: KconfigTree | undefined;
    try {
      tree = readUnikraftKconfig(paths);
    } catch (e) {
      if (!(e instanceof WayfinderError)) throw e;
      opts.onNote?.(`unikraft: the checkout's Config.uk files could not be read (${e.message.split("\n")[0]}); values are checked only after make olddefconfig`);
    }
    if (tree) {
      const problems = mappingProblems(target, compileParams, tree);
      if (problems.length) throw new WayfinderError(`the job's Kconfig options do not match the checkout ${paths.root}:\n  ${problems.join("\n  ")}`);
    }
    if (!onPath("make")) throw new WayfinderError("make is not on PATH: the Unikraft build needs it (apt-get install make, plus the compiler your checkout uses)");
    const qemu = findQemu(target.vm.qemu);
    let accel: "kvm" | "tcg" = target.vm.accel === "kvm" ? "kvm" : "tcg";
    if (target.vm.accel === "auto") {
      try {
        accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
        accel = "kvm";
      } catch {
        opts.onNote?.("unikraft: /dev/kvm is not usable: booting under TCG (slower; throughput is not comparable with KVM runs)");
      }
    }
    let tool: string | undefined;
    if (target.benchmark.tool !== "console") {
      tool = onPath(target.benchmark.tool);
      if (!tool) throw new WayfinderError(`the benchmark tool ${target.benchmark.tool} is not on PATH; install it (apt-get install ${target.benchmark.tool === "wrk" ? "wrk" : "redis-tools"})`);
    }
    const cacheDir = opts.cacheDir ?? defaultCacheDir();
    mkdirSync(cacheDir, { recursive: true });
    setup = { paths, ...(tree ? { tree } : {}), qemu, accel, ...(tool ? { tool } : {}), cacheDir };
    return setup;
  };

  return async ({ config, signal }): Promise<EvaluationReport> => {
    const s = init();
    const t0 = Date.now();
    const timings: Record<string, number> = {};
    const trace: UnikraftRunTrace = { objective: opts.objective };
    const paramStatus: Record<string, ParamStatus> = {};
    const provenance: Record<string, unknown> = { checkout: s.paths.root, app: s.paths.app, qemu: s.qemu, accel: s.accel, tool: target.benchmark.tool };
    let logExcerpt = "";
    const finish = (): EvaluationReport => {
      const c = classifyUnikraftRun(trace);
      timings.total = (Date.now() - t0) / 1000;
      return { outcome: c.outcome, ...(c.metrics ? { metrics: c.metrics } : {}), paramStatus, timings, logExcerpt, provenance };
    };

    // 1. Kconfig values of this configuration, checked against the tree.
    let requested: Record<string, string>;
    let origin: Record<string, string>;
    try {
      const req = unikraftKconfigRequest(target.build, compileParams, config);
      origin = req.origin;
      if (req.conflicts.length) {
        trace.configProblems = req.conflicts;
        return finish();
      }
      if (s.tree) {
        const n = normalizeConfigRequest(s.tree, req.values);
        if (n.choiceConflicts.length) {
          trace.configProblems = n.choiceConflicts.map((c) => `choice ${c.choice}: ${c.members.join(" and ")} are both requested as y`);
          return finish();
        }
        requested = n.values;
      } else {
        requested = Object.fromEntries(Object.entries(req.values).map(([k, v]) => [k, spellKconfigValue(v)]));
      }
    } catch (e) {
      if (!(e instanceof WayfinderError)) throw e;
      trace.configProblems = [e.message];
      return finish();
    }

    // 2. Build (or reuse) the image.
    let build: UnikraftBuildResult;
    build = await buildUnikernel({ paths: s.paths, build: target.build, requested, ...(s.tree ? { tree: s.tree } : {}), cacheDir: s.cacheDir, ...(signal ? { signal } : {}), ...(opts.onNote ? { onNote: opts.onNote } : {}) });
    timings.build = build.seconds;
    provenance.buildKey = build.key;
    provenance.buildStatus = build.status;
    trace.build = { status: build.status, ...(build.dropped ? { dropped: build.dropped } : {}), ...(build.errorLines ? { errorLines: build.errorLines } : {}) };
    const dropped = new Map((build.dropped ?? []).map((d) => [d.name, d]));
    for (const name of compileParams) {
      if (!(name in config)) continue;
      const symbols = Object.keys(origin).filter((sym) => origin[sym] === `parameter ${name}` || origin[sym] === `parameter ${name}=${config[name]}`);
      const lost = symbols.map((sym) => dropped.get(sym)).filter((d) => d !== undefined);
      paramStatus[name] = lost.length
        ? { status: "rejected", requested: String(config[name]), actual: lost.map((d) => `${d!.name}=${d!.actual ?? "(not set)"}`).join(", "), ...(lost[0]!.reason ? { detail: lost[0]!.reason } : {}) }
        : { status: symbols.length ? (build.status === "built" || build.status === "cached" ? "applied" : "requested") : "rendered", requested: String(config[name]) };
    }
    // Values that go into the initrd, the command line or the benchmark are "rendered" once those are built.
    const rendered = Object.keys(config).filter((name) => !(name in paramStatus));
    for (const name of rendered) paramStatus[name] = { status: "requested", requested: String(config[name]) };
    if (build.status !== "built" && build.status !== "cached") {
      logExcerpt = build.logTail ?? "";
      return finish();
    }

    // 3. Initrd and command line.
    let initrd: string | undefined;
    let append: string;
    let benchArgs: string[] = [];
    const port = target.net ? await freePort() : undefined;
    try {
      if (target.rootfs) {
        const files = renderRootfsFiles(target.rootfs.files, config);
        if (!files.ok) {
          trace.configProblems = files.problems;
          return finish();
        }
        const cpio = rootfsCpio(target.rootfs.dir ? readRootfsDir(join(s.paths.app, target.rootfs.dir)) : [], files.files);
        const hash = createHash("sha256").update(cpio).digest("hex").slice(0, 24);
        initrd = join(s.cacheDir, "unikraft-builds", `initrd-${hash}.cpio`);
        if (!existsSync(initrd)) writeFileSync(initrd, cpio);
      }
      append = unikraftCommandLine(target.net?.args ?? [], renderArgs(target.appArgs, config, {}, "appArgs"));
      if (target.benchmark.tool !== "console") benchArgs = renderArgs(target.benchmark.argv, config, { PORT: port! }, "benchmark.argv");
    } catch (e) {
      if (!(e instanceof WayfinderError)) throw e;
      trace.configProblems = [e.message];
      return finish();
    }

    for (const name of rendered) paramStatus[name]!.status = "rendered";

    // 4. Boot, wait for the application, benchmark.
    const { file, args } = unikernelQemuArgv({
      qemu: s.qemu, accel: s.accel, memoryMiB: target.vm.memoryMiB, cpus: target.vm.cpus, kernel: build.image!,
      ...(initrd ? { initrd } : {}), append, ...(port !== undefined ? { hostPort: port, guestPort: target.net!.guestPort } : {}),
    });
    provenance.qemuArgs = args;
    const vm = startUnikernel(file, args);
    const onAbort = () => vm.kill();
    signal?.addEventListener("abort", onAbort);
    try {
      const bootStart = Date.now();
      const ready = await waitReady(target, vm, port, target.timeouts.bootS, signal);
      timings.boot = (Date.now() - bootStart) / 1000;
      if (signal?.aborted) throw new WayfinderError("the evaluation was interrupted");
      const exit = vm.exited() ? await vm.exit : undefined;
      trace.boot = { ready, ...(exit?.spawnError ? { spawnError: exit.spawnError } : {}), ...(exit && !ready ? { exit } : {}), timeoutS: target.timeouts.bootS, console: vm.console() };
      if (!ready) {
        logExcerpt = vm.console();
        return finish();
      }
      const benchStart = Date.now();
      if (target.benchmark.tool === "console") {
        // The unikernel runs its own benchmark and exits; its console is the output.
        let timer: NodeJS.Timeout | undefined;
        const done = await Promise.race([vm.exit.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), target.timeouts.benchmarkS * 1000)))]);
        clearTimeout(timer);
        const out = vm.console();
        let metrics: Record<string, number> | undefined;
        let parseError: string | undefined;
        try {
          metrics = parseBenchmarkOutput("console", out, target.benchmark.metrics);
        } catch (e) {
          if (!(e instanceof WayfinderError)) throw e;
          parseError = e.message;
        }
        trace.bench = { timedOut: !done, timeoutS: target.timeouts.benchmarkS, ...(metrics ? { metrics } : {}), ...(parseError ? { parseError } : {}) };
      } else {
        const r = await runBenchmarkTool(s.tool!, benchArgs, { timeoutS: target.timeouts.benchmarkS, ...(signal ? { signal } : {}) });
        if (r.canceled) throw new WayfinderError("the evaluation was interrupted");
        provenance.benchmarkArgv = r.argv;
        let metrics: Record<string, number> | undefined;
        let parseError: string | undefined;
        if (!r.timedOut && r.exitCode === 0) {
          try {
            metrics = parseBenchmarkOutput(target.benchmark.tool, r.stdout);
          } catch (e) {
            if (!(e instanceof WayfinderError)) throw e;
            parseError = e.message;
          }
        }
        trace.bench = {
          ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}), timedOut: r.timedOut, timeoutS: target.timeouts.benchmarkS,
          ...(r.spawnError ? { spawnError: r.spawnError } : {}), stderr: r.stderr, guestDied: vm.exited(), guestConsole: vm.console(),
          ...(metrics ? { metrics } : {}), ...(parseError ? { parseError } : {}),
        };
        logExcerpt = `${r.argv.join(" ")}\n${r.stdout.slice(-4000)}`;
      }
      timings.benchmark = (Date.now() - benchStart) / 1000;
      return finish();
    } finally {
      signal?.removeEventListener("abort", onAbort);
      vm.kill();
      await vm.exit;
    }
  };
}

async function waitReady(target: UnikraftTarget, vm: ReturnType<typeof startUnikernel>, port: number | undefined, timeoutS: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  const ready = target.ready;
  while (Date.now() < deadline && !vm.exited() && !signal?.aborted) {
    if (ready.kind === "console") {
      if (new RegExp(ready.pattern, "m").test(vm.console())) return true;
    } else if (port !== undefined && (await probeOnce(ready, port, 2000))) return true;
    await sleep(500);
  }
  // A console-benchmarked unikernel may already have printed everything and exited: that counts as ready.
  return ready.kind === "console" && new RegExp(ready.pattern, "m").test(vm.console());
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
