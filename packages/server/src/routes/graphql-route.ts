// graphql is loaded on the first /graphql request: a server that is never asked (every API client)
// does not carry its ~7 MB.
import type { DocumentNode, GraphQLSchema } from "graphql";
import { MlflowError, f, invalidParameter, type Field } from "@mlflow-ts/protocol";
import { requestStores, type MlflowRequest, type ServerConfig } from "@mlflow-ts/plugin-api";
import { route, type RouteDefinition } from "../route.js";
import { graphqlLimitProblem, graphqlLimits } from "./graphql-limits.js";
import { createGraphqlSchema, graphqlFieldResolver } from "./graphql-schema.js";

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
    const result = await execute({ schema: await schema, document, variableValues: p.variables, operationName: p.operationName, fieldResolver: graphqlFieldResolver, contextValue: requestStores(req) });
    return {
      data: result.data ?? null,
      errors: result.errors?.length ? result.errors.map((e) => (e.originalError instanceof MlflowError ? e.originalError.message : e.message)) : null,
    };
  };
  return [route("POST", "/graphql", params, handler), route("GET", "/graphql", params, handler)];
}
