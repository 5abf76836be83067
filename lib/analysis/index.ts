// Public API of the analysis toolkit: forests and importance, similarity, convergence, tables.
export { RandomForest, type ForestOptions, type ForestTask } from "./random-forest";
export { binMatrix, applyBins, binOf, MAX_BINS, type FeatureMatrix, type BinnedMatrix } from "./binned-matrix";
export { featureMatrix, type CategoricalEncoding, type EncodedMatrix } from "./feature-matrix";
export {
  featureImportance,
  targetRows,
  type ImportanceOptions,
  type ImportanceResult,
  type ImportanceRow,
  type ImportanceTarget,
  type ImportanceMethod,
} from "./feature-importance";
export { similarityMatrix, labelFromFile, type ImportanceVector, type SimilarityResult } from "./similarity-matrix";
export { spearman, ranks } from "./rank-correlation";
export {
  forestBenchmark,
  summariseForestBenchmark,
  forestTargetMet,
  formatForestBenchmark,
  type ForestBenchmark,
  type ForestRun,
} from "./forest-benchmark";
export {
  importanceAgreement,
  agreementMatrix,
  pairwiseAgreement,
  meanImportances,
  topFeature,
  type ImportanceMap,
} from "./forest-agreement";
export { centredMovingAverage } from "./moving-average";
export { bestSoFar } from "./best-so-far";
export { traceRun, updateSeconds, type TraceRun } from "./trace-run";
export { convergenceCurves, type ConvergenceCurves, type ConvergenceOptions, type Band } from "./convergence-curves";
export { randomBaseline } from "./random-baseline";
export { timeToReach, transferSpeedup, type ReachResult } from "./time-to-reach";
export { loadTraceFolder, withSimulatedTime, type TraceFolder, type TraceFolderOptions } from "./trace-folder";
