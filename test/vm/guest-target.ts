/**
 * The smallest real guest for the VM tests: the Debian cloud kernel and a busybox-only initramfs built
 * by the image builder, with a benchmark script chosen by each test. Boots faster than an application
 * image, so fault injection stays within the test budget.
 */
import { validateTarget } from "../../harness/vm/validate-target";
import type { TargetSpec } from "../../harness/vm/target";

export function guestTarget(bench: string, extra: { timeouts?: Record<string, number>; configs?: unknown[]; flags?: string[] } = {}): TargetSpec {
  return validateTarget({
    image: { packages: [], binaries: [] },
    vm: { memoryMiB: 192, cpus: 1, accel: "tcg", deterministic: true },
    boot: { flags: extra.flags ?? [] },
    runtime: { paths: { thp: "/sys/kernel/mm/transparent_hugepage/enabled" } },
    application: { configs: extra.configs ?? [], readyTimeoutS: 5 },
    benchmark: { run: bench, metrics: [{ name: "score", pattern: "score=([0-9.]+)" }] },
    timeouts: { bootS: 240, totalS: 400, benchmarkS: 60, ...extra.timeouts },
  });
}
