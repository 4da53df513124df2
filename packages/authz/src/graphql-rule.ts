import { Kind, parse, valueFromASTUntyped, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type { ModelVersion } from "@mlflow-ts/protocol";
import type { JsonObject } from "@mlflow-ts/plugin-api";
import type { Access } from "./access.js";
import type { UserRecord } from "./auth-store.js";
import type { Check, RuleContext } from "./rules.js";

type Args = Record<string, unknown>;

/** Whether a selection set (at any depth) uses aliases or fragments, which could hide a field from the checks. */
function disguised(set: SelectionSetNode | undefined): boolean {
  for (const selection of set?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.alias) return true;
    if (disguised(selection.selectionSet)) return true;
  }
  return false;
}

function operationOf(document: DocumentNode, name: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
}

async function all(ids: unknown, check: (id: string) => Promise<boolean>): Promise<boolean> {
  if (!Array.isArray(ids)) return true;
  for (const id of ids) if (!(await check(String(id)))) return false;
  return true;
}

/** What each top-level query needs, as its REST twin does; a query not listed is denied. */
const QUERIES: Record<string, (input: Args, user: UserRecord, access: Access) => Promise<boolean> | boolean> = {
  test: () => true,
  testMutation: () => true,
  __typename: () => true,
  __schema: () => true,
  __type: () => true,
  mlflowGetExperiment: async (input, user, access) => (await access.experiment(user, String(input.experimentId ?? ""))).read,
  mlflowGetRun: async (input, user, access) => (await access.run(user, String(input.runId || input.runUuid || ""))).read,
  mlflowListArtifacts: async (input, user, access) => (await access.run(user, String(input.runId || input.runUuid || ""))).read,
  mlflowGetMetricHistoryBulkInterval: (input, user, access) => all(input.runIds, async (id) => (await access.run(user, id)).read),
  mlflowSearchRuns: (input, user, access) => all(input.experimentIds, async (id) => (await access.experiment(user, id)).read),
  mlflowSearchDatasets: (input, user, access) => all(input.experimentIds, async (id) => (await access.experiment(user, id)).read),
  // Its answer is filtered by model READ after the handler (filterGraphqlModelVersions).
  mlflowSearchModelVersions: () => true,
};

/**
 * POST/GET `/graphql`: parses the document the request carries (its one reading's `query`,
 * `variables`, `operationName`) and checks each top-level query of the operation that will run
 * like its REST twin. Aliases and fragments are refused to non-admins: they would let a field
 * reach the answer under a name the after-request filter does not look at. A document that does
 * not parse, or names no operation, is let through: the handler answers it with errors and no data.
 */
export const graphqlQuery: Check = {
  covers: ["query", "variables", "operationName"],
  run: async ({ params, user, access }: RuleContext) => {
    const source = params.query;
    if (typeof source !== "string") return true;
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch {
      return true;
    }
    const operation = operationOf(document, params.operationName as string | undefined);
    if (!operation) return true;
    if (document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION) || disguised(operation.selectionSet)) return false;
    const variables = (params.variables ?? {}) as Args;
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) return false;
      const check = QUERIES[selection.name.value];
      if (!check) return false;
      const args: Args = {};
      for (const arg of selection.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value, variables);
      const input = (args.input ?? args) as Args;
      if (!(await check(input, user, access))) return false;
    }
    return true;
  },
};

/**
 * Drops the model versions a non-admin may not read from a GraphQL answer: the search, and the
 * versions listed under a run (`mlflowGetRun`, `mlflowSearchRuns`). Safe because the rule refused
 * aliases and fragments, so these fields sit under their own names.
 *
 * @example
 * app.afterRequest((payload, req) => filterGraphqlModelVersions(payload, user, access), { method: "POST", path: "/graphql" });
 */
export async function filterGraphqlModelVersions(payload: JsonObject, user: UserRecord, access: Access): Promise<JsonObject> {
  const data = payload.data as Record<string, { modelVersions?: ModelVersion[]; run?: { modelVersions?: ModelVersion[] }; runs?: { modelVersions?: ModelVersion[] }[] } | null> | null;
  if (!data) return payload;
  const grants = await access.grantMap("registered_model", user);
  const keep = (list: ModelVersion[] | undefined) => list?.filter((v) => access.readable(grants, v.name));
  const search = data.mlflowSearchModelVersions;
  if (search?.modelVersions) search.modelVersions = keep(search.modelVersions);
  const run = data.mlflowGetRun?.run;
  if (run?.modelVersions) run.modelVersions = keep(run.modelVersions);
  for (const r of data.mlflowSearchRuns?.runs ?? []) if (r.modelVersions) r.modelVersions = keep(r.modelVersions);
  return payload;
}
