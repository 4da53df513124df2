/** The Evaluation view's choices: tables, "group by" columns, "compare" column (absent: the defaults). */
export interface EvaluationChoice {
  readonly tables?: readonly string[];
  readonly groupBy?: readonly string[];
  readonly output?: string;
}

/**
 * Where an experiment's Evaluation choices are kept in this browser's local storage.
 *
 * @example
 * evaluationChoiceKey("3"); // "mlflow-ts.evaluation.3"
 */
export const evaluationChoiceKey = (experimentId: string): string => `mlflow-ts.evaluation.${experimentId}`;

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined);

/**
 * The Evaluation choices last made for an experiment in this browser, so the tab opens as it was
 * left (switching to Runs to select other runs and back keeps them); nothing when none were made or
 * they cannot be read.
 *
 * @example
 * loadEvaluationChoice("3"); // { tables: ["eval.json"], groupBy: ["question"], output: "answer" }
 */
export function loadEvaluationChoice(experimentId: string): EvaluationChoice {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(evaluationChoiceKey(experimentId)) ?? "{}");
    if (!value || typeof value !== "object") return {};
    const { tables, groupBy, output } = value as Record<string, unknown>;
    return { tables: strings(tables), groupBy: strings(groupBy), output: typeof output === "string" ? output : undefined };
  } catch {
    return {};
  }
}
