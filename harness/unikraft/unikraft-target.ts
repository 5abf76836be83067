/**
 * The `target` section of a job whose target is a Unikraft unikernel (`kind: unikraft`): where the
 * user's Unikraft checkout is, how the permutation's compile-time parameters become Kconfig values,
 * what goes into the initrd, how QEMU boots the image and which host-side tool benchmarks it. Unikraft
 * itself is not installable here, so everything about the checkout is given by the user; the harness
 * never fetches sources. Validation lives in validate-unikraft-target.ts.
 */
import type { ConfigFileSpec, MetricSpec } from "../vm/target";

export type UnikraftBenchmarkTool = "wrk" | "redis-benchmark" | "console";

export interface UnikraftCheckout {
  /**
   * Root of the checkout; relative paths below resolve against it. Default: $WAYFINDER_UNIKRAFT_DIR
   * (the section may also write "${WAYFINDER_UNIKRAFT_DIR}/..." explicitly).
   */
  root?: string;
  /** The application directory (its Makefile, Config.uk, .config and build/). */
  app: string;
  /** The Unikraft core (UK_ROOT); default "unikraft". */
  core: string;
  /** Directory holding the external libraries (UK_LIBS); default "libs". */
  libsDir: string;
  /** Libraries under libsDir passed as LIBS=a:b:c; empty leaves LIBS to the app's Makefile. */
  libs: string[];
}

export interface UnikraftBuildSpec {
  /** A .config (or defconfig) file, relative to the app, that the permutation's values are merged into; default the app's own .config if present. */
  baseConfig?: string;
  /** Kconfig values set in every build (symbol without CONFIG_ -> value as in .config: y, n, 64, "text"). */
  kconfig: Record<string, string>;
  /** Compile-time parameter -> Kconfig symbol, when the names differ (default: the parameter's own name). */
  options: Record<string, string>;
  /** Compile-time parameters whose value selects a set of Kconfig values, e.g. ALLOCATOR: { tlsf: { LIBTLSF: y, LIBUKALLOCBBUDDY: n } }. */
  choices: Record<string, Record<string, Record<string, string>>>;
  /** Compile-time parameters that are not Kconfig symbols (used only in rootfs templates or arguments). */
  notKconfig: string[];
  /** Extra make variables, e.g. { CROSS_COMPILE: "" }. */
  makeVariables: Record<string, string>;
  /** make -j; default the number of CPUs. */
  jobs?: number;
  /** The unikernel image relative to the app; default the one build/*_qemu-x86_64 or build/*_kvm-x86_64 file. */
  image?: string;
  /** Wall-clock limit of `make` (seconds). */
  timeoutS: number;
}

export interface UnikraftRootfs {
  /** A directory (relative to the app) copied into the initrd as its root. */
  dir?: string;
  /** Files rendered from templates with {{PARAM}} placeholders (formats as in the VM harness). */
  files: ConfigFileSpec[];
}

export interface UnikraftVm {
  memoryMiB: number;
  cpus: number;
  accel: "auto" | "kvm" | "tcg";
  qemu?: string;
}

export interface UnikraftNet {
  /** The port the application listens on in the guest; QEMU forwards a free host port to it. */
  guestPort: number;
  /** Library parameters that configure the guest's address for QEMU user-mode networking (10.0.2.15/24, gateway 10.0.2.2). */
  args: string[];
}

export type UnikraftReady =
  | { kind: "http"; path: string }
  | { kind: "redis" }
  | { kind: "console"; pattern: string };

export interface UnikraftBenchmark {
  tool: UnikraftBenchmarkTool;
  /** The tool's argv (wrk, redis-benchmark); {{PORT}} is the forwarded host port, {{NAME}} a parameter's value. */
  argv: string[];
  /** For tool "console": patterns over the guest's console (the unikernel benchmarks itself and exits). */
  metrics: MetricSpec[];
}

export interface UnikraftTarget {
  kind: "unikraft";
  checkout: UnikraftCheckout;
  build: UnikraftBuildSpec;
  rootfs?: UnikraftRootfs;
  vm: UnikraftVm;
  net?: UnikraftNet;
  /** The application's arguments (after "--" on the command line), with {{NAME}} placeholders. */
  appArgs: string[];
  ready: UnikraftReady;
  benchmark: UnikraftBenchmark;
  timeouts: { bootS: number; benchmarkS: number };
}

/** QEMU user-mode networking's guest address, in the lwIP netdev parameters of Unikraft 0.9-0.13. */
export const DEFAULT_NET_ARGS = ["netdev.ipv4_addr=10.0.2.15", "netdev.ipv4_gw_addr=10.0.2.2", "netdev.ipv4_subnet_mask=255.255.255.0"];

/** The environment variable naming a Unikraft checkout (the end-to-end test needs it too). */
export const UNIKRAFT_DIR_ENV = "WAYFINDER_UNIKRAFT_DIR";
