/** A small valid target used by the unit tests of the layers above (not a real job). */
import type { TargetSpec } from "../../harness/vm/target";

export function sampleTarget(): TargetSpec {
  return {
    kernel: { package: "linux-image-cloud-amd64" },
    image: { packages: [], binaries: [] },
    vm: { memoryMiB: 256, cpus: 1, accel: "tcg", deterministic: true },
    boot: { args: [], flags: ["nosmt"] },
    runtime: { paths: { thp: "/sys/kernel/mm/transparent_hugepage/enabled" } },
    application: {
      configs: [{ path: "/etc/app.conf", format: "redis", template: "maxclients {{maxclients}}\nappendonly {{appendonly}}\n" }],
      start: "true",
      readyTimeoutS: 5,
    },
    benchmark: { run: "echo rps: 100", metrics: [{ name: "rps", pattern: "rps: ([0-9.]+)" }], primary: "rps" },
    timeouts: { bootS: 60, totalS: 120 },
  };
}
