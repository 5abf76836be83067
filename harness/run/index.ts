export { runStudy, bestEvaluation } from "./run-study";
export type { RunProgress, RunStudyOptions, RunSummary, EndReason } from "./run-study";
export type { Evaluator, EvaluationRequest, EvaluationReport } from "./evaluator";
export { aggregateRepeats, mean, std } from "./aggregate-repeats";
export type { RepeatResult, Aggregate } from "./aggregate-repeats";
export { parseBudget, formatBudget, formatDuration } from "./budget";
export { ProgressReporter, formatProgressLine, formatLogLine, formatGain, formatValue, gain } from "./progress";
