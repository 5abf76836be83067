/** Runtime space discovery: list, read, type and probe the kernel's writable parameters in a guest. */
export { discoverRuntime, checkRoots, type DiscoveryOptions, type DiscoveryResult, type DiscoveredParameter, type ProbeRecord, type ProbeOutcome, type CrashKind } from "./discover-runtime";
export { inferRuntimeType, type RuntimeType } from "./infer-runtime-type";
export { probeSequences, MIN_PROBE, MAX_PROBE, type ProbeSequence } from "./probe-plan";
export { parseDiscoveryMarkers, decodeDump, type DiscoveryMarkers, type DumpedFile, type ProbeEvent } from "./discovery-markers";
export { summarizeDiscovery, spaceParameters, spaceJobText, parameterName, type DiscoverySummary, type SpaceParameter, type SpaceJobOptions } from "./discovered-space";
