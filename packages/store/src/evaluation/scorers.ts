import { randomUUID } from "node:crypto";
import { invalidParameter, notFound, type ScorerVersion } from "@mlflow-ts/protocol";
import { withTransaction } from "../with-transaction.js";
import { isUniqueViolation, type TrackingContext } from "../tracking/context.js";
import { activeExperiment } from "../traces/start-trace.js";
import type { Db } from "./datasets.js";

const NAME_LENGTH = 256;

interface VersionRow {
  scorer_id: string;
  scorer_version: number | string;
  serialized_scorer: string;
  creation_time: number | string | null;
  experiment_id: number | string;
  scorer_name: string;
}

const version = (r: VersionRow): ScorerVersion => ({
  experiment_id: String(r.experiment_id),
  scorer_name: r.scorer_name,
  scorer_version: Number(r.scorer_version),
  serialized_scorer: r.serialized_scorer,
  creation_time: Number(r.creation_time ?? 0),
  scorer_id: r.scorer_id,
});

function versions(db: Db) {
  return db
    .selectFrom("scorer_versions as v")
    .innerJoin("scorers as s", "s.scorer_id", "v.scorer_id")
    .select(["v.scorer_id", "v.scorer_version", "v.serialized_scorer", "v.creation_time", "s.experiment_id", "s.scorer_name"]);
}

async function scorerId(db: Db, experiment: number, experimentId: string, name: string): Promise<string> {
  const row = (await db.selectFrom("scorers").select("scorer_id").where("experiment_id", "=", experiment).where("scorer_name", "=", name).executeTakeFirst()) as { scorer_id: string } | undefined;
  if (!row) throw notFound(`Scorer with name '${name}' not found for experiment ${experimentId}.`);
  return row.scorer_id;
}

/**
 * Registers a new version of a scorer (1 for a new name, else the highest + 1) in an active
 * experiment.
 *
 * @example
 * await registerScorer(ctx, "1", "relevance", '{"name": "relevance"}'); // { scorer_version: 1, … }
 */
export async function registerScorer(ctx: TrackingContext, experimentId: string, name: string, serialized: string): Promise<ScorerVersion> {
  if (name.length > NAME_LENGTH) throw invalidParameter(`Scorer name exceeds the maximum length of ${NAME_LENGTH} characters`);
  const attempt = () =>
    withTransaction(ctx.database, async (trx) => {
      const { id } = await activeExperiment(trx, experimentId);
      let row = (await trx.selectFrom("scorers").select("scorer_id").where("experiment_id", "=", id).where("scorer_name", "=", name).executeTakeFirst()) as { scorer_id: string } | undefined;
      if (!row) {
        row = { scorer_id: randomUUID() };
        await trx.insertInto("scorers").values({ experiment_id: id, scorer_name: name, scorer_id: row.scorer_id }).execute();
      }
      const max = (await trx.selectFrom("scorer_versions").select((eb) => eb.fn.max("scorer_version").as("v")).where("scorer_id", "=", row.scorer_id).executeTakeFirst()) as { v: number | string | null };
      const next = max.v === null || max.v === undefined ? 1 : Number(max.v) + 1;
      const now = ctx.now();
      await trx.insertInto("scorer_versions").values({ scorer_id: row.scorer_id, scorer_version: next, serialized_scorer: serialized, creation_time: now }).execute();
      return { experiment_id: experimentId, scorer_name: name, scorer_version: next, serialized_scorer: serialized, creation_time: now, scorer_id: row.scorer_id };
    });
  try {
    return await attempt();
  } catch (error) {
    // Two registrations of one name at once: the loser retries on the winner's rows.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

/**
 * The latest version of each scorer of an active experiment, by name.
 *
 * @example
 * await listScorers(ctx, experimentId);
 */
export async function listScorers(ctx: TrackingContext, experimentId: string): Promise<ScorerVersion[]> {
  const db = ctx.database.db;
  const { id } = await activeExperiment(db, experimentId);
  const rows = (await versions(db)
    .where("s.experiment_id", "=", id)
    .where((eb) => eb("v.scorer_version", "=", eb.selectFrom("scorer_versions as m").select((m) => m.fn.max("m.scorer_version").as("mx")).whereRef("m.scorer_id", "=", "v.scorer_id")))
    .orderBy("s.scorer_name")
    .execute()) as VersionRow[];
  return rows.map(version);
}

/**
 * Every version of one scorer, oldest first (404 when it has none).
 *
 * @example
 * await listScorerVersions(ctx, experimentId, name);
 */
export async function listScorerVersions(ctx: TrackingContext, experimentId: string, name: string): Promise<ScorerVersion[]> {
  const db = ctx.database.db;
  const { id } = await activeExperiment(db, experimentId);
  const sid = await scorerId(db, id, experimentId, name);
  const rows = (await versions(db).where("v.scorer_id", "=", sid).orderBy("v.scorer_version", "asc").execute()) as VersionRow[];
  if (rows.length === 0) throw notFound(`Scorer with name '${name}' not found for experiment ${experimentId}.`);
  return rows.map(version);
}

/**
 * One version of a scorer, or its latest.
 *
 * @example
 * await getScorer(ctx, experimentId, name, v);
 */
export async function getScorer(ctx: TrackingContext, experimentId: string, name: string, v?: number): Promise<ScorerVersion> {
  const db = ctx.database.db;
  const { id } = await activeExperiment(db, experimentId);
  const sid = await scorerId(db, id, experimentId, name);
  let q = versions(db).where("v.scorer_id", "=", sid);
  q = v !== undefined ? q.where("v.scorer_version", "=", v) : q.orderBy("v.scorer_version", "desc").limit(1);
  const row = (await q.executeTakeFirst()) as VersionRow | undefined;
  if (!row) {
    throw notFound(v !== undefined ? `Scorer with name '${name}' and version ${v} not found for experiment ${experimentId}.` : `Scorer with name '${name}' not found for experiment ${experimentId}.`);
  }
  return version(row);
}

/**
 * Deletes one version of a scorer, or all of them and the scorer itself.
 *
 * @example
 * await deleteScorer(ctx, experimentId, name, v);
 */
export async function deleteScorer(ctx: TrackingContext, experimentId: string, name: string, v?: number): Promise<void> {
  await withTransaction(ctx.database, async (trx) => {
    const { id } = await activeExperiment(trx, experimentId);
    const sid = await scorerId(trx, id, experimentId, name);
    let q = trx.deleteFrom("scorer_versions").where("scorer_id", "=", sid);
    if (v !== undefined) q = q.where("scorer_version", "=", v);
    const result = await q.executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw notFound(v !== undefined ? `Scorer with name '${name}' and version ${v} not found for experiment ${experimentId}.` : `Scorer with name '${name}' not found for experiment ${experimentId}.`);
    }
    if (v === undefined) await trx.deleteFrom("scorers").where("scorer_id", "=", sid).execute();
  });
}
