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
export { forestBenchmark, formatForestBenchmark, importanceAgreement, type ForestBenchmark, type ForestRun } from "./forest-benchmark";
