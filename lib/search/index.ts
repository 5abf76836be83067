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
