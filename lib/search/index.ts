/** Search: the ask/tell contract, the built-in searchers, the registry, and the replay driver. */
export type { Config, FailurePhase, Outcome, Observation, Searcher, SearcherOptions, SearcherEntry } from "./searcher";
export { registerSearcher, createSearcher, getSearcher, searcherNames } from "./registry";
export { RandomSearcher, randomSearcher } from "./random";
export { GridSearcher, gridSearcher, poolGridOrder } from "./grid";
export { BayesSearcher, bayesSearcher } from "./bayes";
export { GaussianProcess } from "./gaussian-process";
export { CrashModel } from "./crash-model";
export { Candidates } from "./candidates";
export { numberSetting, stringSetting } from "./settings";
export { expectedImprovement, normalCdf, normalPdf } from "./normal";
export { replay, type ReplayOptions, type ReplayRun } from "./replay";
export { replayPool, type ReplayPool } from "./replay-pool";
export { scoreRun, aggregate, summarize, reachesTarget, CHECKPOINTS, type RunScores, type AggregateScores, type Summary, type PoolStats } from "./replay-metrics";
export { replaySearchers, reportFromRuns, reportFromValues, formatReplayTable, type SearcherReport, type ReplayPlan } from "./replay-report";
export { traceValues } from "./trace-values";
export { testTimeFor, drawTestTime, TEST_TIME_BY_APP, DEFAULT_TEST_TIME, type TestTimeModel } from "./test-time";
