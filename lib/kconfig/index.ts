/** Kconfig and kernel command-line spaces: reading Kconfig trees, kernel-parameters.txt and .config files. */
export type {
  KconfigType, KconfigLocation, KconfigConditional, KconfigRange, KconfigDefinition, KconfigSymbol, KconfigChoice,
  KconfigTree, KconfigCounts,
} from "./types";
export { KCONFIG_TYPES } from "./types";
export { parseKconfig, type KconfigSource, type ParseKconfigOptions } from "./parse-kconfig";
export {
  readKconfigTree, assertKconfigTree, listArches, listKconfigFiles, NON_KERNEL_KCONFIG_DIRS, type ReadKconfigTreeOptions,
} from "./read-kconfig-tree";
export { countKconfigSymbols } from "./count-kconfig-symbols";
export { parseKernelParameters, type KernelParameter } from "./parse-kernel-parameters";
export { kernelParameterSpace, type KernelParameterSpace, type KernelParameterSpaceOptions } from "./kernel-parameter-space";
export { parseDotConfig } from "./parse-dot-config";
export { renderConfigFragment, quoteConfigString } from "./render-config-fragment";
export {
  normalizeConfigRequest, normalizeValue, type RequestedValue, type ChoiceConflict, type NormalizedConfigRequest,
} from "./normalize-config-request";
export { droppedConfigValues, sameConfigValue, explainDroppedValues, type DroppedValue } from "./dropped-config-values";
