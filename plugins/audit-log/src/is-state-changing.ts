import { graphqlHasMutation } from "./graphql-has-mutation.js";

/**
 * POST endpoints that only read: searches (`…/search`, `…/search-datasets`), batch reads
 * (`get-latest-versions`, any `get-…`) and `calculate-filter-correlation`. Matched on the last
 * segment of the endpoint's route pattern.
 */
const READ_ONLY_POST = /\/(search|search-[a-z-]+|get-[a-z-]+|calculate-filter-correlation)$/;

/**
 * Whether a request may change state and so gets an audit line: every method but GET, HEAD and
 * OPTIONS, except POSTs that only read — the searches, `get-…` batch reads, and `/graphql`
 * documents without a mutation. `params` is called only for `/graphql`; when it cannot tell (no
 * parameters: the request was refused before its body was read) the request counts as a write, so
 * a refused attempt is never lost. OTLP (`POST /v1/traces`) stores spans, so it counts. Unknown
 * routes count too: a refused probe is what an audit trail is for.
 *
 * @example
 * isStateChanging("POST", "/api/2.0/mlflow/runs/log-metric"); // true
 * isStateChanging("POST", "/api/2.0/mlflow/runs/search"); // false
 * isStateChanging("POST", "/graphql", () => ({ query: "query { __typename }" })); // false
 */
export function isStateChanging(method: string, endpoint: string | undefined, params?: () => Readonly<Record<string, unknown>> | undefined): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
  if (endpoint === undefined || method !== "POST") return true;
  if (READ_ONLY_POST.test(endpoint)) return false;
  if (endpoint.endsWith("/graphql")) return graphqlHasMutation(params?.()?.query) ?? true;
  return true;
}
