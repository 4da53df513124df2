import type { Experiment, ModelVersion, RegisteredModel, ViewType } from "@mlflow-ts/protocol";
import { requestParams, type JsonObject, type MlflowRequest } from "@mlflow-ts/plugin-api";
import type { Access } from "./access.js";
import type { UserRecord } from "./auth-store.js";

/** The search parameters as the handler read them (the server's one reading). */
interface SearchParams {
  readonly max_results?: number;
  readonly page_token?: string;
  readonly filter?: string;
  readonly order_by?: readonly string[];
  readonly view_type?: ViewType;
}

/**
 * Drops what the caller may not read from a search page and tops the page up from the following
 * ones, asking the store for exactly what is missing each time, so `max_results` and
 * `next_page_token` keep their meaning.
 */
async function topUp<T>(
  first: readonly T[],
  token: string | undefined,
  max: number,
  keep: (item: T) => boolean,
  fetchPage: (maxResults: number, pageToken: string) => Promise<{ items: readonly T[]; next_page_token?: string }>,
): Promise<{ items: T[]; token: string | undefined }> {
  const items = first.filter(keep);
  while (items.length < max && token) {
    const page = await fetchPage(max - items.length, token);
    items.push(...page.items.filter(keep));
    token = page.next_page_token;
  }
  return { items, token };
}

/** Experiments search, filtered by experiment READ (see {@link topUp}). */
export async function filterExperiments(payload: JsonObject, req: MlflowRequest, user: UserRecord, access: Access): Promise<JsonObject> {
  const p = requestParams<SearchParams>(req);
  const grants = await access.grantMap("experiment", user);
  const { items, token } = await topUp(
    (payload.experiments as Experiment[] | undefined) ?? [],
    payload.next_page_token as string | undefined,
    p.max_results || 1000,
    (e) => access.readable(grants, e.experiment_id),
    async (maxResults, pageToken) => {
      const page = await access.stores.tracking.searchExperiments({ maxResults, pageToken, filter: p.filter, orderBy: p.order_by, viewType: p.view_type });
      return { items: page.experiments, next_page_token: page.next_page_token };
    },
  );
  return { ...(items.length > 0 ? { experiments: items } : {}), ...(token ? { next_page_token: token } : {}) };
}

/** Registered-models search, filtered by model READ (see {@link topUp}). */
export async function filterRegisteredModels(payload: JsonObject, req: MlflowRequest, user: UserRecord, access: Access): Promise<JsonObject> {
  const p = requestParams<SearchParams>(req);
  const grants = await access.grantMap("registered_model", user);
  const { items, token } = await topUp(
    (payload.registered_models as RegisteredModel[] | undefined) ?? [],
    payload.next_page_token as string | undefined,
    p.max_results || 100,
    (m) => access.readable(grants, m.name),
    async (maxResults, pageToken) => {
      const page = await access.stores.registry.searchRegisteredModels({ maxResults, pageToken, filter: p.filter, orderBy: p.order_by });
      return { items: page.registered_models, next_page_token: page.next_page_token };
    },
  );
  return { ...(items.length > 0 ? { registered_models: items } : {}), ...(token ? { next_page_token: token } : {}) };
}

/** Model versions of unreadable models are dropped (no top-up, as MLflow). */
export async function filterModelVersions(payload: JsonObject, _req: MlflowRequest, user: UserRecord, access: Access): Promise<JsonObject> {
  const grants = await access.grantMap("registered_model", user);
  const versions = ((payload.model_versions as ModelVersion[] | undefined) ?? []).filter((v) => access.readable(grants, v.name));
  return { ...payload, model_versions: versions };
}
