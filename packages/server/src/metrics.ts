import type { Request, Response } from "express";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AppStores } from "@mlflow-ts/plugin-api";
import { matchedEndpoint } from "./request-reading.js";

/** The server's Prometheus metrics: requests by endpoint, store calls by method, the process. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Records a finished request (called when its response is sent). */
  observeRequest(req: Request, res: Response, seconds: number): void;
  /** The stores, their calls timed. */
  instrument(stores: AppStores): AppStores;
}

/**
 * Prometheus metrics with prom-client: `mlflow_ts_http_request_duration_seconds` and
 * `mlflow_ts_http_requests_total` by method, endpoint pattern (never the raw path: bounded
 * cardinality) and status; `mlflow_ts_store_call_duration_seconds` by store and method; Node's
 * process metrics. Served at `/metrics` by the server when `--expose-prometheus` is given.
 *
 * @example
 * const metrics = createMetrics();
 * stores = metrics.instrument(stores);
 */
export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "mlflow_ts_" });
  const duration = new Histogram({
    name: "mlflow_ts_http_request_duration_seconds",
    help: "HTTP request latency by method, endpoint pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const requests = new Counter({ name: "mlflow_ts_http_requests_total", help: "HTTP requests by method, endpoint pattern and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const storeCalls = new Histogram({
    name: "mlflow_ts_store_call_duration_seconds",
    help: "Store call latency (tracking, registry, artifacts) by method and outcome",
    labelNames: ["store", "method", "outcome"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const timed = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver) as unknown;
        if (typeof value !== "function" || typeof prop !== "string") return value;
        return (...args: unknown[]) => {
          const end = storeCalls.startTimer({ store: name, method: prop });
          try {
            const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
            if (result && typeof (result as Promise<unknown>).then === "function") {
              return (result as Promise<unknown>).then(
                (v) => (end({ outcome: "ok" }), v),
                (e: unknown) => {
                  end({ outcome: "error" });
                  throw e;
                },
              );
            }
            end({ outcome: "ok" });
            return result;
          } catch (error) {
            end({ outcome: "error" });
            throw error;
          }
        };
      },
    });
  return {
    registry,
    observeRequest(req, res, seconds) {
      const route = matchedEndpoint(req)?.route.path ?? (req.route as { path?: string } | undefined)?.path ?? "unmatched";
      const labels = { method: req.method, route: String(route), status: String(res.statusCode) };
      duration.observe(labels, seconds);
      requests.inc(labels);
    },
    instrument(stores) {
      return { ...stores, tracking: timed("tracking", stores.tracking), registry: timed("registry", stores.registry), traces: timed("traces", stores.traces), datasets: timed("datasets", stores.datasets), scorers: timed("scorers", stores.scorers), ...(stores.artifacts ? { artifacts: timed("artifacts", stores.artifacts) } : {}) };
    },
  };
}
