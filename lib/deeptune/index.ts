/** DeepTune: the neural-network searcher (model, scoring, transfer learning) and its registration. */
import { registerSearcher } from "../search/registry";
import type { SearcherEntry } from "../search/searcher";
import { DeepTuneSearcher } from "./deeptune-searcher";
import { DEEPTUNE_SETTING_HELP } from "./deeptune-settings";

export { initBackend, wasmDirectory, type BackendInfo, type BackendName } from "./backend";
export { RbfLayer, type RbfLayerArgs } from "./rbf-layer";
export { DeepTuneNetwork, type NetworkConfig, type Predictions, type TrainingData, type StepStats } from "./deeptune-network";
export { DeepTuneModel, TRANSFER_SCOPES, type TransferScope, type TargetTransform, type ModelPredictions, type TrainingSet } from "./deeptune-model";
export { saveModelDirectory, loadModelDirectory, MODEL_FORMAT, MODEL_VERSION } from "./model-directory";
export { DEEPTUNE_DEFAULTS, DEEPTUNE_SETTING_HELP, readSettings, validateSettings, parseHidden, type DeepTuneSettings } from "./deeptune-settings";
export { scoreCandidates, percentileRanks, explorationScore, type CandidateScores, type ScoreWeights } from "./score-candidates";
export { minmax, weightedScore, throughputMemoryScore, type MetricSpec } from "./multi-objective";
export { predictionMetrics, evaluatePredictionQuality, type PredictionQuality, type PredictionQualityOptions } from "./prediction-quality";
export { runAblation, type AblationCell, type AblationResult, type AblationPlan } from "./ablation";
export { parseAblation, readAblation, ablationGrid, ablationBetas, mergeAblations, missingCells, type AblationFile, type AblationFileCell, type AblationMetric, type NamedAblation } from "./ablation-grid";
export { DeepTuneSearcher, type DeepTuneTimings, type TransferInfo } from "./deeptune-searcher";

export const deeptuneSearcher: SearcherEntry = {
  name: "deeptune",
  summary: "DeepTune: neural network with crash prediction and RBF uncertainty (EuroSys'26 §3.2), transfer learning",
  settings: DEEPTUNE_SETTING_HELP,
  create: (options) => DeepTuneSearcher.create(options),
};

registerSearcher(deeptuneSearcher);
