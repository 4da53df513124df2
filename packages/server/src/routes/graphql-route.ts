// graphql is loaded on the first /graphql request: a server that is never asked (every API client)
// does not carry its ~7 MB.
import type { DocumentNode, GraphQLFieldResolver, GraphQLScalarType, GraphQLSchema } from "graphql";
import { MAX_IDS, MlflowError, invalidParameter, type Field, type Run } from "@mlflow-ts/protocol";
import { requestStores, type AppStores, type MlflowRequest, type ServerConfig } from "@mlflow-ts/plugin-api";
import { f } from "@mlflow-ts/protocol";
import { route, type RouteDefinition } from "../route.js";
import { listUnder } from "./artifact-routes.js";
import { graphqlLimitProblem, graphqlLimits } from "./graphql-limits.js";

// MLflow's GraphQL schema (mlflow/server/graphql, generated from its protos): the queries its web UI
// and tests send, field for field, written here in SDL. int64 values are the `LongString` scalar.
const SDL = `
scalar LongString

enum MlflowRunStatus { RUNNING SCHEDULED FINISHED FAILED KILLED }
enum MlflowModelVersionStatus { PENDING_REGISTRATION FAILED_REGISTRATION READY }
enum MlflowViewType { ACTIVE_ONLY DELETED_ONLY ALL }

type MlflowExperimentTag { key: String value: String }
type MlflowExperiment {
  experimentId: String name: String artifactLocation: String lifecycleStage: String
  lastUpdateTime: LongString creationTime: LongString tags: [MlflowExperimentTag!]
}
type MlflowGetExperimentResponse { experiment: MlflowExperiment }

type MlflowRunInfo {
  runId: String runUuid: String runName: String experimentId: String userId: String status: MlflowRunStatus
  startTime: LongString endTime: LongString artifactUri: String lifecycleStage: String
}
type MlflowMetric { key: String value: Float timestamp: LongString step: LongString }
type MlflowParam { key: String value: String }
type MlflowRunTag { key: String value: String }
type MlflowRunData { metrics: [MlflowMetric!] params: [MlflowParam!] tags: [MlflowRunTag!] }
type MlflowDataset { name: String digest: String sourceType: String source: String schema: String profile: String }
type MlflowInputTag { key: String value: String }
type MlflowDatasetInput { tags: [MlflowInputTag!] dataset: MlflowDataset }
type MlflowModelInput { modelId: String }
type MlflowRunInputs { datasetInputs: [MlflowDatasetInput!] modelInputs: [MlflowModelInput!] }
type MlflowModelOutput { modelId: String step: LongString }
type MlflowRunOutputs { modelOutputs: [MlflowModelOutput!] }
type MlflowRunExtension {
  info: MlflowRunInfo data: MlflowRunData inputs: MlflowRunInputs outputs: MlflowRunOutputs
  experiment: MlflowExperiment modelVersions: [MlflowModelVersion!]
}
type MlflowGetRunResponse { run: MlflowRunExtension }
type MlflowSearchRunsResponse { runs: [MlflowRunExtension!] nextPageToken: String }

type MlflowModelVersionTag { key: String value: String }
type MlflowModelVersion {
  name: String version: String creationTimestamp: LongString lastUpdatedTimestamp: LongString userId: String
  currentStage: String description: String source: String runId: String status: MlflowModelVersionStatus
  statusMessage: String tags: [MlflowModelVersionTag!] runLink: String aliases: [String]
}
type MlflowSearchModelVersionsResponse { modelVersions: [MlflowModelVersion!] nextPageToken: String }

type MlflowFileInfo { path: String isDir: Boolean fileSize: LongString }
type MlflowListArtifactsResponse { rootUri: String files: [MlflowFileInfo!] nextPageToken: String }

type MlflowMetricWithRunId { key: String value: Float timestamp: LongString step: LongString runId: String }
type MlflowGetMetricHistoryBulkIntervalResponse { metrics: [MlflowMetricWithRunId!] }

type MlflowDatasetSummary { experimentId: String name: String digest: String context: String }
type MlflowSearchDatasetsResponse { datasetSummaries: [MlflowDatasetSummary!] }

input MlflowGetExperimentInput { experimentId: String }
input MlflowGetRunInput { runId: String runUuid: String }
input MlflowSearchModelVersionsInput { filter: String maxResults: LongString orderBy: [String] pageToken: String }
input MlflowSearchRunsInput { experimentIds: [String] filter: String runViewType: MlflowViewType maxResults: Int orderBy: [String] pageToken: String }
input MlflowListArtifactsInput { runId: String runUuid: String path: String pageToken: String }
input MlflowGetMetricHistoryBulkIntervalInput { runIds: [String] metricKey: String startStep: Int endStep: Int maxResults: Int }
input MlflowSearchDatasetsInput { experimentIds: [String] }

type Test { output: String }
type TestMutation { output: String }

type Query {
  mlflowGetExperiment(input: MlflowGetExperimentInput): MlflowGetExperimentResponse
  mlflowGetRun(input: MlflowGetRunInput): MlflowGetRunResponse
  mlflowSearchModelVersions(input: MlflowSearchModelVersionsInput): MlflowSearchModelVersionsResponse
  mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
  mlflowListArtifacts(input: MlflowListArtifactsInput): MlflowListArtifactsResponse
  mlflowGetMetricHistoryBulkInterval(input: MlflowGetMetricHistoryBulkIntervalInput): MlflowGetMetricHistoryBulkIntervalResponse
  mlflowSearchDatasets(input: MlflowSearchDatasetsInput): MlflowSearchDatasetsResponse
  test(inputString: String): Test
}
type Mutation { testMutation(inputString: String): TestMutation }
`;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// Fields read the stores' wire objects (snake_case) by their camelCase GraphQL names.
const byWireName: GraphQLFieldResolver<unknown, unknown> = (source, _args, _ctx, info) => {
  if (typeof source !== "object" || source === null) return undefined;
  const record = source as Record<string, unknown>;
  const value = record[snake(info.fieldName)] ?? record[info.fieldName];
  return typeof value === "function" ? (value as () => unknown).call(source) : value;
};

type Input = Record<string, unknown> | undefined;

/** The search-datasets bound of the REST endpoint (ui-routes.ts), for its GraphQL twin. */
const MAX_DATASET_EXPERIMENTS = 20;

/** A list argument of IDs, bounded as its REST twin bounds it (GraphQL has already coerced a scalar to a list). */
function boundedIds(value: unknown, name: string, max: number): string[] {
  const ids = (value as string[] | null | undefined) ?? [];
  if (ids.length > max) throw invalidParameter(`'${name}' may name at most ${max} IDs`);
  return ids;
}

/**
 * MLflow's GraphQL schema. Resolvers call the same store methods as the REST handlers, on the
 * request's stores (GraphQL's context value: `requestStores(req)`), so a GraphQL read is decided
 * exactly as its REST twin — on the arguments GraphQL itself coerced (lists, variables, defaults,
 * fragments, aliases) and on the entities the stores resolve.
 *
 * @example
 * const schema = await createGraphqlSchema(config);
 * await graphql({ schema, source, contextValue: requestStores(req) });
 */
export async function createGraphqlSchema(config: ServerConfig): Promise<GraphQLSchema> {
  const { buildSchema, Kind } = await import("graphql");
  const schema = buildSchema(SDL);
  const longString = schema.getType("LongString") as GraphQLScalarType;
  Object.assign(longString, {
    serialize: (value: unknown) => String(value),
    parseValue: (value: unknown) => Number(value),
    parseLiteral: (node: { kind: string; value?: string }) => (node.kind === Kind.INT || node.kind === Kind.STRING ? Number(node.value) : undefined),
  });
  const withRunExtras = (stores: AppStores, run: Run) => ({
    ...run,
    experiment: () => stores.tracking.getExperiment(run.info.experiment_id),
    model_versions: async () => (await stores.registry.searchModelVersions({ filter: `run_id = '${run.info.run_id}'` })).model_versions,
  });
  const resolvers: Record<string, (input: Input, stores: AppStores) => unknown> = {
    mlflowGetExperiment: async (input, stores) => ({ experiment: await stores.tracking.getExperiment(String(input?.experimentId ?? "")) }),
    mlflowGetRun: async (input, stores) => ({ run: withRunExtras(stores, await stores.tracking.getRun(String(input?.runId || input?.runUuid || ""))) }),
    mlflowSearchModelVersions: (input, stores) =>
      stores.registry.searchModelVersions({
        filter: input?.filter as string | undefined,
        maxResults: input?.maxResults === undefined || input.maxResults === null ? undefined : Number(input.maxResults),
        orderBy: input?.orderBy as string[] | undefined,
        pageToken: input?.pageToken as string | undefined,
      }),
    mlflowSearchRuns: async (input, stores) => {
      const result = await stores.tracking.searchRuns({
        experimentIds: boundedIds(input?.experimentIds, "experiment_ids", MAX_IDS),
        filter: input?.filter as string | undefined,
        runViewType: input?.runViewType as never,
        maxResults: input?.maxResults as number | undefined,
        orderBy: input?.orderBy as string[] | undefined,
        pageToken: input?.pageToken as string | undefined,
      });
      return { runs: result.runs.map((run) => withRunExtras(stores, run)), next_page_token: result.next_page_token };
    },
    mlflowListArtifacts: async (input, stores) => {
      const root = await stores.tracking.runArtifactUri(String(input?.runId || input?.runUuid || ""), "read");
      const files = await listUnder(config, stores, root, String(input?.path ?? ""));
      return { root_uri: root, files };
    },
    mlflowGetMetricHistoryBulkInterval: async (input, stores) => {
      const maxResults = (input?.maxResults as number | undefined) ?? 2500;
      if (maxResults < 1 || maxResults > 2500) throw invalidParameter("max_results must be between 1 and 2500.");
      const runIds = (input?.runIds as string[] | undefined) ?? [];
      if (runIds.length > 100) throw invalidParameter(`GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.`);
      const metrics = await stores.tracking.getMetricHistoryBulkInterval(runIds, String(input?.metricKey ?? ""), {
        maxResults,
        startStep: (input?.startStep as number | undefined) ?? undefined,
        endStep: (input?.endStep as number | undefined) ?? undefined,
      });
      return { metrics };
    },
    mlflowSearchDatasets: async (input, stores) => {
      const ids = boundedIds(input?.experimentIds, "experiment_ids", MAX_DATASET_EXPERIMENTS);
      return { dataset_summaries: await stores.tracking.searchDatasets(ids) };
    },
    test: (input, stores) => ({ output: (input as { inputString?: string } | undefined)?.inputString }),
  };
  const query = schema.getQueryType()!.getFields();
  for (const [name, resolve] of Object.entries(resolvers)) {
    // `test` takes its argument bare; every other query an `input` object.
    query[name]!.resolve = (_source, args: Record<string, unknown>, stores: AppStores) => resolve(name === "test" ? args : (args.input as Input), stores);
  }
  schema.getMutationType()!.getFields().testMutation!.resolve = (_source, args: { inputString?: string }) => ({ output: args.inputString });
  return schema;
}

/** A JSON object parameter (GraphQL variables), from a body object or a query-string JSON text. */
const jsonObject: Field<Record<string, unknown>> = {
  required: false,
  parse(value, name, fromQuery) {
    let v = fromQuery && Array.isArray(value) ? value[0] : value;
    if (fromQuery && typeof v === "string") {
      try {
        v = JSON.parse(v);
      } catch {
        throw invalidParameter(`'${name}' must be a JSON object`);
      }
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidParameter(`'${name}' must be a JSON object`);
    return v as Record<string, unknown>;
  },
};

/**
 * `/graphql` (GET and POST, below the static prefix), answered as MLflow does: HTTP 200 with
 * `{"data": …, "errors": [messages] | null}`.
 *
 * @example
 * for (const r of graphqlRoutes(config)) mount(r);
 */
export function graphqlRoutes(config: ServerConfig): RouteDefinition[] {
  let schema: Promise<GraphQLSchema> | undefined;
  const limits = graphqlLimits(config);
  const params = { query: f.string(), operationName: f.string(), variables: jsonObject };
  const handler = async (p: { query?: string; operationName?: string; variables?: Record<string, unknown> }, req: MlflowRequest) => {
    if (!p.query) throw invalidParameter("Missing value for required parameter 'query'.");
    schema ??= createGraphqlSchema(config);
    const { execute, parse, validate } = await import("graphql");
    const failed = (messages: readonly string[]) => ({ data: null, errors: messages });
    let document: DocumentNode;
    try {
      // A token bound keeps a hostile document from costing more to parse than it may run.
      document = parse(p.query, { maxTokens: 50_000 });
    } catch (error) {
      return failed([(error as Error).message]);
    }
    // MLflow 3's bounds, before anything runs: every field may reach the database.
    const tooLarge = graphqlLimitProblem(document, limits);
    if (tooLarge) return failed([tooLarge]);
    const invalid = validate(await schema, document);
    if (invalid.length > 0) return failed(invalid.map((e) => e.message));
    const result = await execute({ schema: await schema, document, variableValues: p.variables, operationName: p.operationName, fieldResolver: byWireName, contextValue: requestStores(req) });
    return {
      data: result.data ?? null,
      errors: result.errors?.length ? result.errors.map((e) => (e.originalError instanceof MlflowError ? e.originalError.message : e.message)) : null,
    };
  };
  return [route("POST", "/graphql", params, handler), route("GET", "/graphql", params, handler)];
}
