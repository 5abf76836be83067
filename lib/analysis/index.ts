// Public API of the analysis toolkit: forests and importance, similarity, convergence, tables.
export { RandomForest, type ForestOptions, type ForestTask } from "./random-forest";
export { binMatrix, applyBins, binOf, MAX_BINS, type FeatureMatrix, type BinnedMatrix } from "./binned-matrix";
