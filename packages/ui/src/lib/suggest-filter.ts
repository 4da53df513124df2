/** Keys the runs have, by kind (tags including MLflow's own `mlflow.*`). */
export interface FilterKeys {
  readonly metrics: readonly string[];
  readonly params: readonly string[];
  readonly tags: readonly string[];
}

/** One completion: what the list shows and what replaces `from`..`to` in the filter. */
export interface Suggestion {
  readonly label: string;
  readonly insert: string;
  readonly kind: "entity" | "metric" | "param" | "tag" | "attribute" | "dataset";
}

/** The completions for the word at the caret, and the span of the filter they replace. */
export interface Suggestions {
  readonly from: number;
  readonly to: number;
  readonly items: readonly Suggestion[];
}

// The attributes and dataset fields MLflow's runs search accepts.
const ATTRIBUTES = ["run_id", "run_name", "status", "user_id", "start_time", "end_time", "artifact_uri"];
const DATASET_FIELDS = ["name", "digest", "context"];
const ENTITIES = ["metrics.", "params.", "tags.", "attributes.", "datasets."];
// Every spelling of an entity MLflow's parser accepts, and what it names.
const ALIASES: Readonly<Record<string, Suggestion["kind"]>> = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset",
};
const MAX_ITEMS = 50;
// A key the filter grammar reads bare; any other is written in backticks.
const BARE = /^[A-Za-z0-9_.]+$/;
const WORD_CHAR = /[A-Za-z0-9_.:/\-`]/;
// The word before the caret: `entity.partial` (the partial may open a backtick) or a bare word.
const BEFORE = /(?:^|[\s(,=<>!])([A-Za-z_]+)(?:\.(`[^`]*|[A-Za-z0-9_.:/-]*))?$/;

/**
 * A key as the filter must spell it: bare when the grammar reads it so, else in backticks.
 *
 * @example
 * quoteKey("val_loss"); // "val_loss"
 * quoteKey("val loss"); // "`val loss`"
 */
export function quoteKey(key: string): string {
  return BARE.test(key) ? key : `\`${key}\``;
}

function ranked(candidates: readonly string[], partial: string): string[] {
  const q = partial.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const c of candidates) {
    const lower = c.toLowerCase();
    if (lower.startsWith(q)) starts.push(c);
    else if (q && lower.includes(q)) contains.push(c);
    if (starts.length >= MAX_ITEMS) break;
  }
  return [...starts, ...contains].slice(0, MAX_ITEMS);
}

/**
 * Completions of `metrics.`/`params.`/`tags.`/`attributes.`/`datasets.` keys for the word at the
 * caret of an MLflow search filter: a bare word completes to an entity (`me` → `metrics.`), an
 * `entity.` prefix to the keys the runs have (prefix matches first, then substring matches). A
 * word that already is the only match gets no list, so Enter still searches.
 *
 * @example
 * suggestFilter("metrics.ac", 10, { metrics: ["accuracy", "loss"], params: [], tags: [] });
 * // { from: 0, to: 10, items: [{ label: "accuracy", insert: "metrics.accuracy", kind: "metric" }] }
 */
export function suggestFilter(text: string, caret: number, keys: FilterKeys): Suggestions | undefined {
  const match = BEFORE.exec(text.slice(0, caret));
  if (!match) return undefined;
  const entity = match[1]!;
  const partial = match[2];
  const from = caret - match[0].length + match[0].indexOf(entity);
  let to = caret;
  while (to < text.length && WORD_CHAR.test(text[to]!)) to += 1;
  if (partial === undefined) {
    // Inside quotes the word is a value, not a key.
    if (((text.slice(0, from).match(/'/g) ?? []).length % 2) === 1) return undefined;
    const lower = entity.toLowerCase();
    const items = ENTITIES.filter((e) => e.startsWith(lower) && e !== `${lower}.`).map((e) => ({ label: e, insert: e, kind: "entity" as const }));
    return items.length ? { from, to, items } : undefined;
  }
  const kind = ALIASES[entity.toLowerCase()];
  if (!kind) return undefined;
  const list = kind === "metric" ? keys.metrics : kind === "param" ? keys.params : kind === "tag" ? keys.tags : kind === "attribute" ? ATTRIBUTES : DATASET_FIELDS;
  const bare = partial.startsWith("`") ? partial.slice(1) : partial;
  const names = ranked(list, bare);
  if (names.length === 1 && names[0] === bare && !partial.startsWith("`")) return undefined;
  if (names.length === 0) return undefined;
  return { from, to, items: names.map((name) => ({ label: name, insert: `${entity}.${quoteKey(name)}`, kind })) };
}
