import type { KeyValue, ModelVersion, RegisteredModel } from "@mlflow-ts/protocol";
import { chunk, type TrackingContext } from "../tracking/context.js";
import { DELETED_STAGE, VERSION_COLUMNS, toModelVersion, toRegisteredModel, type ModelVersionRow, type RegisteredModelRow } from "./rows.js";

const IN_CHUNK = 400;

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Turns version rows into wire versions with their tags and aliases, in one query each for the
 * whole list.
 */
export async function loadVersions(ctx: TrackingContext, rows: readonly ModelVersionRow[]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const db = ctx.database.db;
  const names = [...new Set(rows.map((r) => r.name))];
  const tags = new Map<string, KeyValue[]>();
  const aliases = new Map<string, string[]>();
  for (const part of chunk(names, IN_CHUNK)) {
    const [tagRows, aliasRows] = await Promise.all([
      db.selectFrom("model_version_tags").select(["name", "version", "key", "value"]).where("name", "in", part).execute(),
      db.selectFrom("registered_model_aliases").select(["name", "alias", "version"]).where("name", "in", part).execute(),
    ]);
    for (const t of tagRows as { name: string; version: number; key: string; value: string | null }[]) pushTo(tags, `${t.name}\u0000${t.version}`, { key: t.key, value: t.value ?? "" });
    for (const a of aliasRows as { name: string; alias: string; version: number }[]) pushTo(aliases, `${a.name}\u0000${a.version}`, a.alias);
  }
  return rows.map((r) => toModelVersion(r, tags.get(`${r.name}\u0000${r.version}`) ?? [], aliases.get(`${r.name}\u0000${r.version}`) ?? []));
}

/**
 * Turns registered-model rows into wire models with their latest version per stage, tags and
 * aliases, in a few batched queries for the whole page.
 */
export async function loadModels(ctx: TrackingContext, rows: readonly RegisteredModelRow[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const db = ctx.database.db;
  const names = rows.map((r) => r.name);
  const tags = new Map<string, KeyValue[]>();
  const aliases = new Map<string, { alias: string; version: string }[]>();
  const latestRows: ModelVersionRow[] = [];
  for (const part of chunk(names, IN_CHUNK)) {
    const [tagRows, aliasRows, latest] = await Promise.all([
      db.selectFrom("registered_model_tags").select(["name", "key", "value"]).where("name", "in", part).execute(),
      db.selectFrom("registered_model_aliases").select(["name", "alias", "version"]).where("name", "in", part).orderBy("alias").execute(),
      db
        .selectFrom("model_versions as mv")
        .select(VERSION_COLUMNS.map((c) => `mv.${c}` as const))
        .where("mv.name", "in", part)
        .where("mv.current_stage", "!=", DELETED_STAGE)
        .where(({ eb, selectFrom }) =>
          eb(
            "mv.version",
            "=",
            selectFrom("model_versions as m2")
              .select((e) => e.fn.max("m2.version").as("v"))
              .whereRef("m2.name", "=", "mv.name")
              .whereRef("m2.current_stage", "=", "mv.current_stage"),
          ),
        )
        .orderBy("mv.version")
        .execute(),
    ]);
    for (const t of tagRows as { name: string; key: string; value: string | null }[]) pushTo(tags, t.name, { key: t.key, value: t.value ?? "" });
    for (const a of aliasRows as { name: string; alias: string; version: number }[]) pushTo(aliases, a.name, { alias: a.alias, version: String(a.version) });
    latestRows.push(...(latest as ModelVersionRow[]));
  }
  const latestByName = new Map<string, ModelVersion[]>();
  for (const v of await loadVersions(ctx, latestRows)) pushTo(latestByName, v.name, v);
  return rows.map((r) => toRegisteredModel(r, latestByName.get(r.name) ?? [], tags.get(r.name) ?? [], aliases.get(r.name) ?? []));
}
