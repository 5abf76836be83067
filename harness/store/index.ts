export type {
  Budget,
  EvaluationRecord,
  EvaluationResultRecord,
  EvaluationState,
  ParamStatus,
  SessionRecord,
  StudyEvent,
  StudyInfo,
  StudySpec,
  StudyStore,
} from "./study-store";
export { SqliteStudyStore, STORE_FORMAT_VERSION } from "./sqlite-study-store";
export { configKey } from "./config-key";
