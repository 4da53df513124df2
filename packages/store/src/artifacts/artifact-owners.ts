import { invalidParameter } from "@mlflow-ts/protocol";
import type { TrackingContext } from "../tracking/context.js";
import { artifactLocation, belowStorageRoot } from "./artifact-location.js";
import { artifactSegments } from "./artifact-path.js";

// Experiments are few and their locations never change: all of them are held in memory, read again
// every minute, and at most once a second when a path is owned by none (an experiment another
// replica just created). Runs and logged models are many: looked up by the IDs a path carries.
const REFRESH_MS = 60_000;
const MISS_REFRESH_MS = 1_000;
const MAX_CACHED_ENTITIES = 100_000;
const RUN_ID = /^[0-9a-f]{32}$/;
const LOGGED_MODEL_ID = /^m-[0-9a-f]{32}$/;

/** A location below the proxied root, as segments joined by `/` ("" is the root itself). */
function proxiedKey(uri: string | null | undefined): string | undefined {
  if (!uri) return undefined;
  const location = artifactLocation(uri);
  if (location.kind !== "proxied") return undefined;
  try {
    return artifactSegments(location.relative).join("/");
  } catch {
    // A stored location this server would never serve owns nothing.
    return undefined;
  }
}

/**
 * A location below a default artifact root on storage (`s3://bucket/prefix`, direct mode), as
 * segments joined by `/` ("" is the root itself): the keys of {@link ArtifactOwners} for that root.
 *
 * @example
 * storageKeys("s3://mlflow/direct")("s3://mlflow/direct/1/0a1b/artifacts"); // "1/0a1b/artifacts"
 */
export function storageKeys(root: string): (uri: string | null | undefined) => string | undefined {
  return (uri) => {
    const below = uri ? belowStorageRoot(uri, root) : undefined;
    if (below === undefined) return undefined;
    try {
      return artifactSegments(below).join("/");
    } catch {
      return undefined;
    }
  };
}

interface Entity {
  readonly key: string | undefined;
  readonly experimentId: string;
}

/**
 * Who owns a path below the proxied artifact root: the experiment whose artifact location — or
 * whose run's, or logged model's — contains it, the longest location first, read from the
 * database. A path inside no location has no owner (only admins may touch it). This, not a path's
 * first segment, is what authorization asks: an experiment created with
 * `artifact_location = mlflow-artifacts:/team-a/private` owns `team-a/private/…`.
 *
 * @example
 * const owners = new ArtifactOwners(ctx);
 * await owners.ownerOf("team-a/private/0a1b…/artifacts/model.pkl"); // "7"
 */
export class ArtifactOwners {
  private experiments = new Map<string, string>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private readonly runs = new Map<string, Entity>();
  private readonly models = new Map<string, Entity>();

  /**
   * `keyOf` maps a stored location to its path below the root the owners are kept for: the
   * proxied root by default, or a storage root ({@link storageKeys}).
   */
  constructor(
    private readonly ctx: TrackingContext,
    readonly keyOf: (uri: string | null | undefined) => string | undefined = proxiedKey,
  ) {}

  /** The owning experiment's ID, or undefined. */
  async ownerOf(relative: string): Promise<string | undefined> {
    const segments = artifactSegments(relative);
    if (Date.now() - this.loadedAt > REFRESH_MS) await this.load();
    let found = this.longestExperiment(segments);
    if (!found && Date.now() - this.loadedAt > MISS_REFRESH_MS) {
      await this.load();
      found = this.longestExperiment(segments);
    }
    // A run or logged model whose own location is longer than its experiment's decides.
    for (const entity of await this.entitiesIn(segments)) {
      if (entity.key === undefined || !contains(entity.key, segments)) continue;
      const length = entity.key === "" ? 0 : entity.key.split("/").length;
      if (!found || length > found.length) found = { experimentId: entity.experimentId, length };
    }
    return found?.experimentId;
  }

  /**
   * The experiments whose own artifact location lies strictly inside a path (every one, for the
   * root): deleting that path deletes their files too.
   */
  async ownersInside(relative: string): Promise<string[]> {
    const key = artifactSegments(relative).join("/");
    if (Date.now() - this.loadedAt > MISS_REFRESH_MS) await this.load();
    const owners = new Set<string>();
    for (const [location, id] of this.experiments) if (key === "" ? location !== "" : location.startsWith(`${key}/`)) owners.add(id);
    return [...owners];
  }

  /** Records a location just created here, so it owns its paths at once. */
  remember(experimentId: string, location: string): void {
    const key = this.keyOf(location);
    if (key !== undefined) this.experiments.set(key, experimentId);
  }

  private longestExperiment(segments: readonly string[]): { experimentId: string; length: number } | undefined {
    for (let n = segments.length; n >= 0; n -= 1) {
      const id = this.experiments.get(segments.slice(0, n).join("/"));
      if (id !== undefined) return { experimentId: id, length: n };
    }
    return undefined;
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = (await this.ctx.database.db.selectFrom("experiments").select(["experiment_id", "artifact_location"]).execute()) as {
          experiment_id: number | string;
          artifact_location: string | null;
        }[];
        const next = new Map<string, string>();
        // Lowest ID first: of two experiments with one location, the older keeps it.
        rows.sort((a, b) => Number(a.experiment_id) - Number(b.experiment_id));
        for (const row of rows) {
          const key = this.keyOf(row.artifact_location);
          if (key !== undefined && !next.has(key)) next.set(key, String(row.experiment_id));
        }
        this.experiments = next;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private async entitiesIn(segments: readonly string[]): Promise<Entity[]> {
    const runIds = segments.filter((s) => RUN_ID.test(s));
    const modelIds = this.ctx.schema.atLeast("400f98739977") ? segments.filter((s) => LOGGED_MODEL_ID.test(s)) : [];
    const out: Entity[] = [];
    const missingRuns = runIds.filter((id) => !this.runs.has(id));
    if (missingRuns.length > 0) {
      const rows = (await this.ctx.database.db.selectFrom("runs").select(["run_uuid", "experiment_id", "artifact_uri"]).where("run_uuid", "in", missingRuns).execute()) as {
        run_uuid: string;
        experiment_id: number | string;
        artifact_uri: string | null;
      }[];
      for (const row of rows) this.cache(this.runs, row.run_uuid, { key: this.keyOf(row.artifact_uri), experimentId: String(row.experiment_id) });
    }
    const missingModels = modelIds.filter((id) => !this.models.has(id));
    if (missingModels.length > 0) {
      const rows = (await this.ctx.database.db
        .selectFrom("logged_models")
        .select(["model_id", "experiment_id", "artifact_location"])
        .where("model_id", "in", missingModels)
        .execute()) as { model_id: string; experiment_id: number | string; artifact_location: string | null }[];
      for (const row of rows) this.cache(this.models, row.model_id, { key: this.keyOf(row.artifact_location), experimentId: String(row.experiment_id) });
    }
    for (const id of runIds) {
      const entity = this.runs.get(id);
      if (entity) out.push(entity);
    }
    for (const id of modelIds) {
      const entity = this.models.get(id);
      if (entity) out.push(entity);
    }
    return out;
  }

  // Only rows that exist are cached: an ID that is not (yet) a run stays a lookup.
  private cache(map: Map<string, Entity>, id: string, entity: Entity): void {
    if (map.size >= MAX_CACHED_ENTITIES) map.clear();
    map.set(id, entity);
  }
}

function contains(key: string, segments: readonly string[]): boolean {
  if (key === "") return true;
  const own = key.split("/");
  return own.length <= segments.length && own.every((s, i) => s === segments[i]);
}

/**
 * Refuses an explicit `artifact_location` below the proxied root that would reach into another
 * experiment's files: the root itself, a location inside (or equal to) one an experiment, run or
 * logged model already owns, one that contains another experiment's, or one whose first segment is a number — where the server puts the
 * experiment with that ID (`mlflow-artifacts:/<id>`), so taking it first would receive that
 * experiment's uploads.
 *
 * @example
 * await refuseForeignLocation(owners, "mlflow-artifacts:/1/0a1b…/artifacts", "mlflow-artifacts:/"); // throws 400
 */
export async function refuseForeignLocation(owners: ArtifactOwners, location: string, defaultRoot: string): Promise<void> {
  const key = owners.keyOf(location);
  if (key === undefined) return;
  if (key === "") throw invalidParameter(`Invalid artifact location '${location}': it is the root of the ${owners.keyOf === proxiedKey ? "proxied artifact store" : "server's artifact root"}, which holds every experiment's artifacts`);
  const root = owners.keyOf(defaultRoot);
  if (root !== undefined) {
    const rootSegments = root === "" ? [] : root.split("/");
    const segments = key.split("/");
    const next = segments[rootSegments.length];
    if (rootSegments.every((s, i) => s === segments[i]) && next !== undefined && /^\d+$/.test(next)) {
      throw invalidParameter(`Invalid artifact location '${location}': '${rootSegments.concat(next).join("/")}' is where the server puts the artifacts of the experiment with ID ${next}`);
    }
  }
  if ((await owners.ownerOf(key)) !== undefined) {
    throw invalidParameter(`Invalid artifact location '${location}': it is inside the artifact location of another experiment or run`);
  }
  // A parent of another's location would own the directories around it: listing would name them
  // and deleting the parent would delete them.
  if ((await owners.ownersInside(key)).length > 0) {
    throw invalidParameter(`Invalid artifact location '${location}': it contains the artifact location of another experiment`);
  }
}
