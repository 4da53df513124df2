import { MlflowError } from "@mlflow-ts/protocol";
import type { AppStores } from "@mlflow-ts/plugin-api";
import type { AuthStore, ResourceKind, UserRecord } from "./auth-store.js";
import { PERMISSIONS, capabilitiesOf, type Capabilities, type Permission } from "./permissions.js";

/**
 * Answers "what may this user do to that resource": the stored grant, else `default_permission`.
 * Runs and logged models resolve to their experiment (cached: a run never moves).
 *
 * @example
 * (await access.experiment(user, "1")).read;
 */
export class Access {
  private readonly runExperiments = new Map<string, string>();
  // Grant lookups, dropped whole on any grant change here or (PostgreSQL) in another replica, and
  // bounded by the TTL otherwise (SQLite shared by several processes).
  private readonly grants = new Map<string, { permission: Permission | undefined; expires: number }>();

  constructor(
    readonly auth: AuthStore,
    readonly stores: AppStores,
    readonly defaultPermission: Permission,
    private readonly ttlMs = 0,
  ) {}

  /** Forgets every cached grant. */
  clearGrants(): void {
    this.grants.clear();
  }

  async permission(kind: ResourceKind, resource: string, user: UserRecord): Promise<Permission> {
    if (this.ttlMs <= 0) return (await this.storedPermission(kind, resource, user)) ?? this.defaultPermission;
    const key = this.cacheKey(kind, resource, user);
    const hit = this.grants.get(key);
    if (hit && hit.expires > Date.now()) return hit.permission ?? this.defaultPermission;
    const permission = await this.storedPermission(kind, resource, user);
    if (this.grants.size > 100_000) this.grants.clear();
    this.grants.set(key, { permission, expires: Date.now() + this.ttlMs });
    return permission ?? this.defaultPermission;
  }

  // A user's own grant decides; without one, the strongest grant of any of their groups.
  private async storedPermission(kind: ResourceKind, resource: string, user: UserRecord): Promise<Permission | undefined> {
    const own = (await this.auth.findGrant(kind, resource, user.id))?.permission;
    if (own !== undefined || !user.groups?.length) return own;
    const viaGroups = await this.auth.groupGrantsOn(kind, resource, user.groups);
    return viaGroups.length ? viaGroups.reduce((a, b) => (PERMISSIONS.indexOf(b) > PERMISSIONS.indexOf(a) ? b : a)) : undefined;
  }

  private cacheKey(kind: ResourceKind, resource: string, user: UserRecord): string {
    const base = `${kind}\u0000${user.id}\u0000${resource}`;
    return user.groups?.length ? `${base}\u0000${user.groups.join("\u0001")}` : base;
  }

  /** The permission when the grant cache already knows it (no I/O), else undefined. */
  cachedPermission(kind: ResourceKind, resource: string, user: UserRecord): Permission | undefined {
    if (this.ttlMs <= 0) return undefined;
    const hit = this.grants.get(this.cacheKey(kind, resource, user));
    return hit && hit.expires > Date.now() ? hit.permission ?? this.defaultPermission : undefined;
  }

  /** A run's capabilities when both the run's experiment and the grant are cached, else undefined. */
  cachedRun(user: UserRecord, runId: string): Capabilities | undefined {
    const experimentId = this.runExperiments.get(runId);
    const permission = experimentId === undefined ? undefined : this.cachedPermission("experiment", experimentId, user);
    return permission === undefined ? undefined : capabilitiesOf(permission);
  }

  async experiment(user: UserRecord, experimentId: string): Promise<Capabilities> {
    return capabilitiesOf(await this.permission("experiment", experimentId, user));
  }

  async model(user: UserRecord, name: string): Promise<Capabilities> {
    return capabilitiesOf(await this.permission("registered_model", name, user));
  }

  /** The experiment of a run (404 for an unknown run, as MLflow answers before authorizing). */
  async experimentOfRun(runId: string): Promise<string> {
    let id = this.runExperiments.get(runId);
    if (id === undefined) {
      id = (await this.stores.tracking.getRunInfo(runId)).experiment_id;
      if (this.runExperiments.size > 100_000) this.runExperiments.clear();
      this.runExperiments.set(runId, id);
    }
    return id;
  }

  async run(user: UserRecord, runId: string): Promise<Capabilities> {
    return this.experiment(user, await this.experimentOfRun(runId));
  }

  async experimentByName(user: UserRecord, name: string): Promise<Capabilities> {
    let id: string;
    try {
      id = (await this.stores.tracking.getExperimentByName(name)).experiment_id;
    } catch (error) {
      if ((error as MlflowError).code === "RESOURCE_DOES_NOT_EXIST") throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name ${name}`);
      throw error;
    }
    return this.experiment(user, id);
  }

  async loggedModel(user: UserRecord, modelId: string): Promise<Capabilities> {
    return this.experiment(user, (await this.stores.tracking.getLoggedModel(modelId, true)).info.experiment_id);
  }

  /** Every experiment ID (or model name) this user holds a grant on, with its permission. */
  async grantMap(kind: ResourceKind, user: UserRecord): Promise<Map<string, Permission>> {
    return new Map((await this.auth.grantsOf(kind, user.id)).map((g) => [g.resource, g.permission]));
  }

  /** Whether a grant map (plus the default) lets the user read a resource. */
  readable(grants: ReadonlyMap<string, Permission>, resource: string): boolean {
    return capabilitiesOf(grants.get(resource) ?? this.defaultPermission).read;
  }
}
