import type { EvaluationRow } from "./evaluation-rows.js";

/**
 * The pattern of the Evaluation view's row filter: a case-insensitive regular expression, as in
 * MLflow's view (`a|b`, `^What`), and the plain text when it is not a valid one (`(`, `c++`), so
 * typing never breaks the page. Nothing for an empty filter.
 *
 * @example
 * filterPattern("^what"); // /^what/i
 * filterPattern("c++").test("C++ question"); // true
 */
export function filterPattern(filter: string): RegExp | undefined {
  const text = filter.trim();
  if (!text) return undefined;
  try {
    return new RegExp(text, "i");
  } catch {
    return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
  }
}

/**
 * The rows whose group-by values (the inputs; not the runs' outputs, as in MLflow) match the filter.
 *
 * @example
 * filterEvaluationRows(rows, filterPattern("mlflow")); // the rows about MLflow
 */
export function filterEvaluationRows(rows: readonly EvaluationRow[], pattern: RegExp | undefined): readonly EvaluationRow[] {
  if (!pattern) return rows;
  return rows.filter((row) => row.groups.some((text) => pattern.test(text)));
}

/** A piece of a cell's text, and whether it is where the filter matched. */
export interface TextPart {
  readonly text: string;
  readonly match: boolean;
}

/**
 * A text cut where the filter matches it, for highlighting (as text: nothing is parsed as markup).
 *
 * @example
 * highlightParts("What is MLflow?", /mlflow/i); // [{ text: "What is ", match: false }, { text: "MLflow", match: true }, { text: "?", match: false }]
 */
export function highlightParts(text: string, pattern: RegExp | undefined): TextPart[] {
  if (!pattern || !text) return [{ text, match: false }];
  const parts: TextPart[] = [];
  let at = 0;
  for (const m of text.matchAll(new RegExp(pattern.source, "gi"))) {
    // An empty match (`a*` between letters) highlights nothing.
    if (!m[0]) continue;
    if (m.index > at) parts.push({ text: text.slice(at, m.index), match: false });
    parts.push({ text: m[0], match: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}
