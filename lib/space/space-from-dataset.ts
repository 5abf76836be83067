/**
 * The space a recorded pool was drawn from, as far as the pool shows it: integer columns become integer
 * ranges [min, max] (log scale when they span more than three orders of magnitude), categorical columns
 * (including huge integers kept as strings) become choices of their observed values, two-valued switch
 * columns become booleans, and columns holding one value become fixed parameters. Phases come from the
 * dataset schema (runtime when unknown). Pools carry no defaults, so none are set.
 */
import type { Dataset, ParameterSchema } from "../datasets/types";
import type { Parameter } from "./parameter";
import { createSpace, type Space, type SpaceOptions } from "./space";

const ON = ["y", "yes", "on", "true", "1", "enabled"];
const OFF = ["n", "no", "off", "false", "0", "disabled"];

export function parameterFromSchema(s: ParameterSchema): Parameter {
  const phase = s.phase ?? "runtime";
  if (s.constant || s.domain.length === 1) return { name: s.name, phase, type: "fixed", value: s.domain[0] ?? "" };
  if (s.kind === "integer") {
    const [min, max] = s.domain as number[];
    const wide = min >= 0 && (max + 1) / (min + 1) > 1000;
    return { name: s.name, phase, type: "integer", min, max, ...(wide ? { scale: "log" as const } : {}) };
  }
  if (s.kind === "boolean" && s.domain.length === 2) {
    const [a, b] = s.domain.map(String);
    const on = ON.includes(a.toLowerCase()) || OFF.includes(b.toLowerCase()) ? a : b;
    const off = on === a ? b : a;
    return { name: s.name, phase, type: "boolean", values: [on, off] };
  }
  return { name: s.name, phase, type: "choice", values: s.domain.slice() };
}

export function spaceFromDataset(dataset: Dataset, options: SpaceOptions = {}): Space {
  return createSpace(dataset.schema.parameters.map(parameterFromSchema), options);
}
