/** Configuration spaces: parameters, conditions, constraints, sampling, enumeration and encoding. */
export type {
  Parameter,
  ParameterType,
  IntegerParameter,
  ChoiceParameter,
  BooleanParameter,
  TristateParameter,
  FixedParameter,
} from "./parameter";
export {
  domainSize,
  domainValues,
  describeDomain,
  defaultValue,
  inDomain,
  normalizeValue,
  sameValue,
  booleanValues,
  TRISTATE_VALUES,
  DEFAULT_BOOLEAN_VALUES,
} from "./parameter";
export type { Condition } from "./condition";
export { parseCondition, evaluateCondition, conditionNames, formatCondition, ConditionSyntaxError } from "./condition";
export type { SpaceOptions, SpacePath } from "./space";
export { Space, createSpace, PHASES, suggest } from "./space";
export { configKey } from "./config-key";
export { sampleConfig, sampleValue, UniqueSampler, ENUMERATE_LIMIT } from "./sample";
export { GridIterator, gridValues, gridSize, DEFAULT_GRID_LEVELS } from "./grid";
export type { EncoderOptions } from "./encoder";
export { Encoder, wrapInt32 } from "./encoder";
export { spaceFromDataset, parameterFromSchema } from "./space-from-dataset";
