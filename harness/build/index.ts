/** Kernel sources and compile-time evaluations (builds with a cache keyed by configuration). */
export { ensureKernelSource, DEFAULT_KERNEL_TARBALL, DEFAULT_CACHE_DIR, type KernelSourceOptions } from "./kernel-source";
export { KernelBuilder, buildOutcome, type BaseConfig, type KernelBuilderOptions, type KernelBuildResult, type BuildStatus } from "./kernel-builder";
export { GUEST_BASE_OPTIONS, KERNEL_IMAGE } from "./guest-base-options";
export { firstErrorLines } from "./first-error-lines";
export { orderForIncrementalBuilds, distance } from "./order-builds";
export { acquireDirLock } from "./dir-lock";
export { bootCheck, type BootCheckOptions, type BootCheckResult } from "./boot-check";
