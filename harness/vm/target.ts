/**
 * The `target` section of a job file: how to build the guest image, boot it, start the application and
 * benchmark it. The space, objective and budget parts of a job belong to harness/jobs; this file only
 * defines what the VM evaluator needs, after validation (see validateTarget).
 */

/** A fixed application config file rendered on the host from a template with `{{param}}` placeholders. */
export interface ConfigFileSpec {
  /** Absolute path inside the guest, e.g. /etc/redis/redis.conf. */
  path: string;
  /**
   * How placeholder values are quoted so that no value can add a directive or a statement:
   * "redis" (redis.conf double quotes), "nginx" (nginx.conf quoted strings), "sql" (SQL string literal),
   * "raw" (value inserted as is, only accepted when it is a plain token [A-Za-z0-9_.:+-]).
   */
  format: "redis" | "nginx" | "sql" | "raw";
  template: string;
}

export interface MetricSpec {
  name: string;
  /** A regular expression over the benchmark's output whose first capture group is the number. */
  pattern: string;
  unit?: string;
  /** Multiply the captured number, e.g. 1e6 to turn seconds into microseconds. */
  scale?: number;
  /** How several matches combine (several lines, several benchmark tests); default "mean". */
  combine?: "mean" | "sum" | "min" | "max" | "first" | "last";
}

export interface TargetSpec {
  kernel: {
    /** Debian package holding the kernel (a metapackage is resolved to its image); default linux-image-cloud-amd64. */
    package?: string;
    /** A user-supplied kernel image (bzImage) instead of a Debian package. */
    path?: string;
    /** Modules (by name) loaded by the guest agent, in order; default the virtio/pvpanic set. */
    modules?: string[];
  };
  image: {
    /** Debian packages whose files (and shared libraries) go into the initramfs. */
    packages: string[];
    /** Absolute paths of the executables to copy out of those packages (their libraries follow via ELF NEEDED). */
    binaries: string[];
    /** Other paths (files or directories) to copy out of the packages, e.g. /usr/share/nginx or Lua modules. */
    paths?: string[];
    /** Extra files baked into the image: guest path -> content. */
    files?: Record<string, string>;
    /** A user-supplied initramfs (gzip or plain newc cpio) used instead of the package-built one; the agent is layered on top. */
    initrd?: string;
  };
  vm: {
    memoryMiB: number;
    cpus: number;
    /** "auto" probes KVM (with a timeout) and falls back to TCG with a note. */
    accel: "auto" | "kvm" | "tcg";
    /** Instruction counting (-icount shift=3,sleep=off): TCG only, repeatable timings. */
    deterministic: boolean;
    /** QEMU binary; default qemu-system-x86_64 (riscv: qemu-system-riscv64) from PATH. */
    qemu?: string;
    /**
     * Guest architecture; absent means x86 (the busybox agent on an x86-64 PC). "riscv" boots QEMU's
     * riscv64 virt board with OpenSBI and a static C /init that measures the memory footprint itself
     * (riscv-init-source.ts): no packages, application or benchmark script, only boot parameters.
     */
    arch?: "x86" | "riscv";
  };
  boot: {
    /** Fixed kernel arguments added before the boot parameters (validated like them). */
    args: string[];
    /** Boot parameters that are bare flags (e.g. nosmt): present when the value is y/on/true/1, absent otherwise. */
    flags: string[];
  };
  runtime: {
    /** Where each runtime parameter is written, by parameter name; by default a dotted sysctl name maps to /proc/sys. */
    paths: Record<string, string>;
  };
  application: {
    configs: ConfigFileSpec[];
    /** Shell run in the guest before the app starts (from the job file, never from parameter values). */
    setup?: string;
    /** Shell that starts the app in the background. */
    start?: string;
    /** Shell polled until it succeeds: the app is ready. */
    ready?: string;
    readyTimeoutS: number;
  };
  benchmark: {
    /** Shell run in the guest; its output (bounded) is matched by the metric patterns. Empty for riscv (the init's own report). */
    run: string;
    metrics: MetricSpec[];
    /** The metric that is the evaluation's value; default the first one. */
    primary: string;
  };
  timeouts: {
    /** Seconds from QEMU start to the guest agent's boot marker. */
    bootS: number;
    /** Seconds for the whole evaluation, after which QEMU is killed (SIGKILL) and the outcome is "timeout". */
    totalS: number;
    /** Seconds from the benchmark's start marker to its end marker (a hung benchmark is caught without waiting for totalS). */
    benchmarkS?: number;
  };
}
