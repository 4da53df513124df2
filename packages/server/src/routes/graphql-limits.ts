// Types only: graphql itself is loaded on the first /graphql request (see graphql-route.ts), so
// node kinds are compared as the strings graphql-js uses for them.
import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from "graphql";
import type { ServerConfig } from "@mlflow-ts/plugin-api";

/** How large a GraphQL document may be, as MLflow 3 bounds it. */
export interface GraphqlLimits {
  /** Top-level fields of all operations (`MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS`, 10). */
  readonly rootFields: number;
  /** Aliased fields in one selection set, fragments merged in (`MLFLOW_SERVER_GRAPHQL_MAX_ALIASES`, 10). */
  readonly aliases: number;
  /** Nesting of selection sets (10). */
  readonly depth: number;
  /** Field selections in the whole document, fragments expanded where used (1,000). */
  readonly selections: number;
}

/**
 * The limits: MLflow's defaults, with the configured root-field and alias bounds (from MLflow's
 * environment variables, read by the CLI's configuration).
 *
 * @example
 * graphqlLimits(config).rootFields; // 10
 */
export function graphqlLimits(config: Pick<ServerConfig, "graphqlMaxRootFields" | "graphqlMaxAliases">): GraphqlLimits {
  return { rootFields: config.graphqlMaxRootFields ?? 10, aliases: config.graphqlMaxAliases ?? 10, depth: 10, selections: 1000 };
}

/**
 * What is wrong with a parsed document's size, in MLflow's words, or undefined when it is within
 * the limits. Checked before validation and execution: every field of a document may reach the
 * database, and a 1 MB document holds tens of thousands of aliased reads. Inline fragments and
 * fragment spreads count where they are used (each fragment once per path, so a cycle ends).
 *
 * @example
 * graphqlLimitProblem(parse("{ a: test b: test }"), limits); // undefined
 */
export function graphqlLimitProblem(document: DocumentNode, limits: GraphqlLimits): string | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === "FragmentDefinition") fragments.set(d.name.value, d);
  let rootFields = 0;
  let mostAliases = 0;
  let selections = 0;
  const stack: { set: SelectionSetNode; depth: number; seen: ReadonlySet<string> }[] = [];
  for (const d of document.definitions) if (d.kind === "OperationDefinition") stack.push({ set: d.selectionSet, depth: 1, seen: new Set() });
  while (stack.length > 0) {
    const { set, depth, seen } = stack.pop()!;
    if (depth > limits.depth) return `Query exceeds maximum depth of ${limits.depth}`;
    // The fields of this level, with the fragments used at this level merged in.
    let aliases = 0;
    const visited = new Set(seen);
    const pending = [...set.selections];
    while (pending.length > 0) {
      const selection = pending.pop()!;
      if (selection.kind === "Field") {
        if (selection.alias) aliases += 1;
        if (depth === 1) rootFields += 1;
        selections += 1;
        if (selections > limits.selections) return `Query exceeds maximum total selections of ${limits.selections}`;
        if (selection.selectionSet) stack.push({ set: selection.selectionSet, depth: depth + 1, seen });
      } else if (selection.kind === "InlineFragment") {
        pending.push(...selection.selectionSet.selections);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !visited.has(fragment.name.value)) {
          visited.add(fragment.name.value);
          pending.push(...fragment.selectionSet.selections);
        }
      }
    }
    mostAliases = Math.max(mostAliases, aliases);
  }
  const over = (count: number, limit: number, what: string, variable: string) =>
    `GraphQL queries should have at most ${limit} ${what}, got ${count} ${what}. To increase the limit, set the ${variable} environment variable.`;
  if (rootFields > limits.rootFields) return over(rootFields, limits.rootFields, "root fields", "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS");
  if (mostAliases > limits.aliases) return over(mostAliases, limits.aliases, "aliases", "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES");
  return undefined;
}
