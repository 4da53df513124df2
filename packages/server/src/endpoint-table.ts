import { match as compile } from "path-to-regexp";
import type { Schema } from "@mlflow-ts/protocol";
import type { RouteInfo } from "@mlflow-ts/plugin-api";
import type { Method, RouteHandler } from "./route.js";

/** An endpoint as the server dispatches it: one method, one mounted path pattern. */
export interface Endpoint {
  readonly method: Method;
  /** The mounted path pattern (`/api/2.0/mlflow/logged-models/:model_id`). */
  readonly path: string;
  readonly schema: Schema;
  readonly handler: RouteHandler;
  /** Reads the body itself (artifact uploads): the JSON body parser leaves it alone. */
  readonly rawBody?: boolean;
}

/** The endpoint a request matched, with its path parameters as they appear in the URL (not decoded). */
export interface EndpointMatch {
  readonly endpoint: Endpoint;
  readonly route: RouteInfo;
  readonly rawPathParams: Readonly<Record<string, string>> | undefined;
}

interface PatternEntry {
  readonly endpoint: Endpoint;
  readonly route: RouteInfo;
  readonly order: number;
  readonly test: (path: string) => false | { params: Record<string, string> };
}

const isPattern = (path: string) => /[:*{(]/.test(path);

/**
 * Every endpoint the server dispatches itself, matched once per request: the same match decides
 * which handler runs and which schema reads the parameters that hooks see, so the two can never
 * disagree. Paths match case-sensitively and without a trailing slash, as MLflow's Flask routes;
 * the first endpoint registered wins, as in Express. Static paths are one map lookup; patterns
 * (path-to-regexp, the matcher Express itself uses) are tried in order.
 *
 * @example
 * const table = new EndpointTable();
 * table.add({ method: "GET", path: "/api/2.0/mlflow/runs/get", schema, handler });
 * table.match("GET", "/api/2.0/mlflow/runs/get")?.endpoint.handler;
 */
export class EndpointTable {
  private readonly exact = new Map<string, { endpoint: Endpoint; route: RouteInfo; order: number }>();
  private readonly patterns: PatternEntry[] = [];
  private readonly all: RouteInfo[] = [];

  /** Adds an endpoint; a later one at the same method and path never runs (the first wins). */
  add(endpoint: Endpoint): void {
    const route: RouteInfo = Object.freeze({ method: endpoint.method, path: endpoint.path });
    const order = this.all.length;
    this.all.push(route);
    if (!isPattern(endpoint.path)) {
      const key = `${endpoint.method} ${endpoint.path}`;
      if (!this.exact.has(key)) this.exact.set(key, { endpoint, route, order });
      return;
    }
    const test = compile(endpoint.path, { decode: false, sensitive: true, trailing: false }) as PatternEntry["test"];
    this.patterns.push({ endpoint, route, order, test });
  }

  /** The endpoint for a method and a URL path (as received, still percent-encoded); HEAD is GET. */
  match(method: string, path: string): EndpointMatch | undefined {
    const m = method === "HEAD" ? "GET" : method;
    const hit = this.exact.get(`${m} ${path}`);
    for (const entry of this.patterns) {
      // A static endpoint registered earlier than every matching pattern wins.
      if (hit && hit.order < entry.order) break;
      if (entry.endpoint.method !== m) continue;
      const found = entry.test(path);
      if (found) return { endpoint: entry.endpoint, route: entry.route, rawPathParams: found.params };
    }
    return hit ? { endpoint: hit.endpoint, route: hit.route, rawPathParams: undefined } : undefined;
  }

  /** The methods some endpoint answers at this path (for 405 and `Allow`). */
  methodsAt(path: string): string[] {
    const methods = new Set<string>();
    for (const { method } of this.all) {
      if (this.exact.has(`${method} ${path}`)) methods.add(method);
    }
    for (const entry of this.patterns) if (entry.test(path)) methods.add(entry.endpoint.method);
    return [...methods];
  }

  /** Every endpoint, in registration order. */
  list(): RouteInfo[] {
    return [...this.all];
  }
}
