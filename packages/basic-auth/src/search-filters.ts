import { VIEW_TYPES, type Experiment, type ModelVersion, type RegisteredModel, type ViewType } from "@mlflow-ts/protocol";
import type { JsonObject, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { Access } from "./access.js";
import type { UserRecord } from "./auth-store.js";
import { paramsOf } from "./request-params.js";

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

function viewType(value: unknown): ViewType | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 3 ? VIEW_TYPES[n - 1] : (String(value) as ViewType);
}

/**
 * Drops the experiments a non-admin cannot read from a search page and tops the page up from the
 * following ones, asking the store for exactly what is missing each time, so `max_results` and
 * `next_page_token` keep their meaning.
 */
export async function filterExperiments(payload: JsonObject, req: MlflowRequest, user: UserRecord, access: Access): Promise<JsonObject> {
  const p = paramsOf(req);
  const max = Number(p.max_results ?? 1000) || 1000;
  const grants = await access.grantMap("experiment", user);
  const keep = (e: Experiment) => access.readable(grants, e.experiment_id);
  const out = ((payload.experiments as Experiment[] | undefined) ?? []).filter(keep);
  let token = payload.next_page_token as string | undefined;
  while (out.length < max && token) {
    const page = await access.stores.tracking.searchExperiments({
      maxResults: max - out.length,
      pageToken: token,
      filter: p.filter as string | undefined,
      orderBy: list(p.order_by),
      viewType: viewType(p.view_type),
    });
    out.push(...page.experiments.filter(keep));
    token = page.next_page_token;
  }
  return { ...(out.length > 0 ? { experiments: out } : {}), ...(token ? { next_page_token: token } : {}) };
}

/** The same for registered models, by model READ. */
export async function filterRegisteredModels(payload: JsonObject, req: MlflowRequest, user: UserRecord, access: Access): Promise<JsonObject> {
  const p = paramsOf(req);
  const max = Number(p.max_results ?? 100) || 100;
  const grants = await access.grantMap("registered_model", user);
  const keep = (m: RegisteredModel) => access.readable(grants, m.name);
  const out = ((payload.registered_models as RegisteredModel[] | undefined) ?? []).filter(keep);
  let token = payload.next_page_token as string | undefined;
  while (out.length < max && token) {
    const page = await access.stores.registry.searchRegisteredModels({ maxResults: max - out.length, pageToken: token, filter: p.filter as string | undefined, orderBy: list(p.order_by) });
    out.push(...page.registered_models.filter(keep));
    token = page.next_page_token;
  }
  return { ...(out.length > 0 ? { registered_models: out } : {}), ...(token ? { next_page_token: token } : {}) };
}

/** Model versions of unreadable models are dropped (no top-up, as MLflow). */
export async function filterModelVersions(payload: JsonObject, _req: MlflowRequest, user: UserRecord, access: Access): Promise<JsonObject> {
  const grants = await access.grantMap("registered_model", user);
  const versions = ((payload.model_versions as ModelVersion[] | undefined) ?? []).filter((v) => access.readable(grants, v.name));
  return { ...payload, model_versions: versions };
}
