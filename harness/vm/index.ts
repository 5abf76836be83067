/** The VM harness: guest images from Debian packages, the guest agent, QEMU runs and the evaluator. */
export { evaluate } from "./evaluator";
export type { BindingPhase, EvaluationProvenance, EvaluationRequest, EvaluationResult, EvaluationTimings, ParamBinding, ParamStatus } from "./evaluator";
export type { ConfigFileSpec, MetricSpec, TargetSpec } from "./target";
export { validateTarget, type ValidateTargetOptions } from "./validate-target";
export { preflight, findQemu } from "./preflight";
export { buildImage, type BuiltImage } from "./image-builder";
export { buildConfigLayer, runtimePath } from "./config-layer";
export { qemuArgv, type QemuMachine } from "./qemu-argv";
export { runQemu, killAllQemu, liveQemuPids } from "./qemu-process";
export { parseMarkers } from "./markers";
export { classifyRun } from "./classify";
export { writeCpio, readCpio, appendInitrd } from "./cpio";
export { renderConfig } from "./render-config";
export { bootCommandLine } from "./boot-args";
export { probeAccel } from "./kvm-probe";
export { defaultCacheDir } from "./cache-dir";
