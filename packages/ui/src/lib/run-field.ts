import type { Run } from "@mlflow-ts/protocol";
import { indexOf } from "./columns.js";
import { toNumber } from "./format.js";

/**
 * A param or a metric of runs, named `param:<key>` or `metric:<key>`: what a scatter's axes and
 * parallel coordinates' axes are made of, and what a brush is keyed by.
 */
export type FieldId = string;

/**
 * The field ID of a param or metric key.
 *
 * @example
 * fieldId("param", "learning_rate"); // "param:learning_rate"
 */
export function fieldId(kind: "param" | "metric", key: string): FieldId {
  return `${kind}:${key}`;
}

/**
 * A field ID's kind and key (anything that is not a param is read as a metric).
 *
 * @example
 * parseField("metric:val/loss"); // { kind: "metric", key: "val/loss" }
 */
export function parseField(id: FieldId): { kind: "param" | "metric"; key: string } {
  const colon = id.indexOf(":");
  const kind = id.slice(0, colon) === "param" ? "param" : "metric";
  return { kind, key: colon < 0 ? id : id.slice(colon + 1) };
}

/**
 * How a field is named on screen.
 *
 * @example
 * fieldLabel("param:optimizer"); // "param optimizer"
 */
export function fieldLabel(id: FieldId): string {
  const { kind, key } = parseField(id);
  return `${kind} ${key}`;
}

/**
 * A run's value of a field: a metric as a number (NaN and the infinities included), a param as the
 * string it was logged as; undefined when the run has none.
 *
 * @example
 * fieldValue(run, "metric:accuracy"); // 0.93
 * fieldValue(run, "param:optimizer"); // "adam"
 */
export function fieldValue(run: Run, id: FieldId): number | string | undefined {
  const { kind, key } = parseField(id);
  const index = indexOf(run);
  if (kind === "param") return index.params.get(key);
  const v = index.metrics.get(key);
  return v === undefined ? undefined : toNumber(v);
}

/**
 * A field's value as a number when it is one (a metric, or a param such as `"0.01"`), else undefined.
 *
 * @example
 * numericValue("0.01"); // 0.01
 * numericValue("adam"); // undefined
 */
export function numericValue(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  if (value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isNaN(n) ? undefined : n;
}
