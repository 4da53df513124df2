import { MlflowError, notFound } from "@mlflow-ts/protocol";
import { createDatabase, migrate, withTransaction, type Database } from "@mlflow-ts/store";
import type { CreateTableBuilder, Kysely, Migration } from "kysely";
import { parsePermission, type Permission } from "./permissions.js";

/**
 * A user row (the hash never leaves the server), and the groups an identity provider says the
 * caller is in for this request (never stored: the token is the source of truth).
 */
export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly passwordHash: string;
  readonly isAdmin: boolean;
  readonly groups?: readonly string[];
}

/** The migration table of the auth schema, separate from the tracking store's. */
export const AUTH_MIGRATION_TABLE = "mlflow_ts_auth_migrations";

/** Our own table (MLflow has none): permissions granted to a group of an identity provider. */
export const GROUP_GRANTS_TABLE = "mlflow_ts_group_permissions";

// An auto-increment integer primary key `id`, as each dialect spells it.
function withId(table: CreateTableBuilder<string>, dialect: Database["dialect"]): CreateTableBuilder<string> {
  return dialect === "postgres" ? table.addColumn("id", "serial", (c) => c.primaryKey()) : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
}

// MLflow's initial auth schema (revision 8606fa83a998), created only where missing, so an existing
// MLflow basic_auth.db opens as it is and a database made here stays upgradable by MLflow.
function authSchema(dialect: Database["dialect"]): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await withId(db.schema.createTable("users").ifNotExists(), dialect)
        .addColumn("username", "varchar(255)", (c) => c.unique())
        .addColumn("password_hash", "varchar(255)")
        .addColumn("is_admin", "boolean")
        .execute();
      await withId(db.schema.createTable("experiment_permissions").ifNotExists(), dialect)
        .addColumn("experiment_id", "varchar(255)", (c) => c.notNull())
        .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
        .addColumn("permission", "varchar(255)")
        .addUniqueConstraint("unique_experiment_user", ["experiment_id", "user_id"])
        .execute();
      await withId(db.schema.createTable("registered_model_permissions").ifNotExists(), dialect)
        .addColumn("name", "varchar(255)", (c) => c.notNull())
        .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
        .addColumn("permission", "varchar(255)")
        .addUniqueConstraint("unique_name_user", ["name", "user_id"])
        .execute();
    },
  };
}

// Group grants, for apps whose identity provider says which groups a caller is in.
const groupGrantsSchema: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable(GROUP_GRANTS_TABLE)
      .ifNotExists()
      .addColumn("group_name", "varchar(255)", (c) => c.notNull())
      .addColumn("kind", "varchar(32)", (c) => c.notNull())
      .addColumn("resource", "varchar(255)", (c) => c.notNull())
      .addColumn("permission", "varchar(255)", (c) => c.notNull())
      .addPrimaryKeyConstraint("mlflow_ts_group_permissions_pk", ["group_name", "kind", "resource"])
      .execute();
  },
};

/** A grant to a group. */
export interface GroupGrant {
  readonly group: string;
  readonly kind: ResourceKind;
  readonly resource: string;
  readonly permission: Permission;
}

function isUnique(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "23505" || e?.code === "ER_DUP_ENTRY" || /UNIQUE constraint failed/.test(String(e?.message));
}

/** Which grant table a resource kind lives in, and its key column. */
const TABLES = {
  experiment: { table: "experiment_permissions", key: "experiment_id" },
  registered_model: { table: "registered_model_permissions", key: "name" },
} as const;

/** A resource kind that carries grants. */
export type ResourceKind = keyof typeof TABLES;

/** A stored grant. */
export interface Grant {
  readonly resource: string;
  readonly userId: number;
  readonly permission: Permission;
}

/**
 * Users and grants in MLflow's tables, on any database the store opens. Booleans are written
 * as the dialect stores them (SQLite integers, PostgreSQL booleans), as SQLAlchemy does.
 *
 * @example
 * const auth = new AuthStore(await createDatabase("sqlite:///basic_auth.db"));
 * await auth.migrate();
 */
export class AuthStore {
  private readonly listeners: (() => void)[] = [];

  constructor(readonly database: Database) {}

  /** Calls `fn` after every change of grants made through this store (to drop caches). */
  onGrantsChanged(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private get db(): Kysely<any> {
    return this.database.db;
  }

  private bool(value: boolean): boolean | number {
    return this.database.dialect === "postgres" ? value : value ? 1 : 0;
  }

  /** Creates the tables where missing, under basic-auth's own migration table. */
  async migrate(): Promise<void> {
    await migrate(this.database, { tableName: AUTH_MIGRATION_TABLE, migrations: { "001-users-and-grants": authSchema(this.database.dialect), "002-group-grants": groupGrantsSchema } });
  }

  private toUser(row: { id: number; username: string; password_hash: string; is_admin: unknown }): UserRecord {
    return { id: Number(row.id), username: row.username, passwordHash: row.password_hash, isAdmin: Boolean(row.is_admin) };
  }

  async findUser(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
    return row ? this.toUser(row as never) : undefined;
  }

  async requireUser(username: string): Promise<UserRecord> {
    const user = await this.findUser(username);
    if (!user) throw notFound(`User with username=${username} not found`);
    return user;
  }

  async listUsers(): Promise<UserRecord[]> {
    return ((await this.db.selectFrom("users").selectAll().orderBy("id").execute()) as never[]).map((r) => this.toUser(r));
  }

  /** How many admins there are (inside a transaction when given one). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async countAdmins(db: Kysely<any> = this.db): Promise<number> {
    const row = (await db.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).where("is_admin", "=", this.bool(true)).executeTakeFirst()) as { n: number | string };
    return Number(row.n);
  }

  async createUser(username: string, passwordHash: string, isAdmin: boolean): Promise<UserRecord> {
    try {
      await this.db.insertInto("users").values({ username, password_hash: passwordHash, is_admin: this.bool(isAdmin) }).execute();
    } catch (error) {
      if (isUnique(error)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `User (username=${username}) already exists.`);
      throw error;
    }
    return this.requireUser(username);
  }

  async updatePassword(username: string, passwordHash: string): Promise<void> {
    await this.requireUser(username);
    await this.db.updateTable("users").set({ password_hash: passwordHash }).where("username", "=", username).execute();
  }

  /** Sets the admin flag; refuses to demote the last admin. */
  async updateAdmin(username: string, isAdmin: boolean): Promise<void> {
    await withTransaction(this.database, async (trx) => {
      const user = await trx.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
      if (!user) throw notFound(`User with username=${username} not found`);
      if (!isAdmin && Boolean((user as { is_admin: unknown }).is_admin)) {
        if ((await this.countAdmins(trx)) <= 1) throw new MlflowError("INVALID_PARAMETER_VALUE", `Cannot remove admin rights from ${username}: it is the last admin.`);
      }
      await trx.updateTable("users").set({ is_admin: this.bool(isAdmin) }).where("username", "=", username).execute();
    });
  }

  /** Deletes a user and every grant of theirs (MLflow fails here with an integrity error); never the last admin. */
  async deleteUser(username: string): Promise<void> {
    await withTransaction(this.database, async (trx) => {
      const user = (await trx.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst()) as { id: number; is_admin: unknown } | undefined;
      if (!user) throw notFound(`User with username=${username} not found`);
      if (Boolean(user.is_admin)) {
        if ((await this.countAdmins(trx)) <= 1) throw new MlflowError("INVALID_PARAMETER_VALUE", `Cannot delete ${username}: it is the last admin.`);
      }
      await trx.deleteFrom("experiment_permissions").where("user_id", "=", user.id).execute();
      await trx.deleteFrom("registered_model_permissions").where("user_id", "=", user.id).execute();
      await trx.deleteFrom("users").where("id", "=", user.id).execute();
    });
    this.changed();
  }

  /** Every grant of one user of one kind. */
  async grantsOf(kind: ResourceKind, userId: number): Promise<Grant[]> {
    const { table, key } = TABLES[kind];
    const rows = (await this.db.selectFrom(table).select([key, "user_id", "permission"]).where("user_id", "=", userId).execute()) as Record<string, unknown>[];
    return rows.map((r) => ({ resource: String(r[key]), userId: Number(r.user_id), permission: (r.permission as Permission) ?? "NO_PERMISSIONS" }));
  }

  /** The stored grant of one user on one resource, if any. */
  async findGrant(kind: ResourceKind, resource: string, userId: number): Promise<Grant | undefined> {
    const { table, key } = TABLES[kind];
    const row = (await this.db.selectFrom(table).select("permission").where(key, "=", resource).where("user_id", "=", userId).executeTakeFirst()) as { permission: string | null } | undefined;
    return row ? { resource, userId, permission: (row.permission as Permission) ?? "NO_PERMISSIONS" } : undefined;
  }

  async createGrant(kind: ResourceKind, resource: string, userId: number, permission: string): Promise<Grant> {
    const { table, key } = TABLES[kind];
    const p = parsePermission(permission);
    try {
      await this.db.insertInto(table).values({ [key]: resource, user_id: userId, permission: p }).execute();
    } catch (error) {
      if (isUnique(error)) {
        throw new MlflowError("RESOURCE_ALREADY_EXISTS", `${kind === "experiment" ? "Experiment" : "Registered model"} permission (${key}=${resource}, user_id=${userId}) already exists.`);
      }
      throw error;
    }
    this.changed();
    return { resource, userId, permission: p };
  }

  async requireGrant(kind: ResourceKind, resource: string, userId: number, username: string): Promise<Grant> {
    const grant = await this.findGrant(kind, resource, userId);
    if (!grant) {
      throw notFound(`${kind === "experiment" ? "Experiment" : "Registered model"} permission with ${TABLES[kind].key}=${resource} and username=${username} not found`);
    }
    return grant;
  }

  async updateGrant(kind: ResourceKind, resource: string, userId: number, username: string, permission: string): Promise<void> {
    const { table, key } = TABLES[kind];
    const p = parsePermission(permission);
    await this.requireGrant(kind, resource, userId, username);
    await this.db.updateTable(table).set({ permission: p }).where(key, "=", resource).where("user_id", "=", userId).execute();
    this.changed();
  }

  async deleteGrant(kind: ResourceKind, resource: string, userId: number, username: string): Promise<void> {
    const { table, key } = TABLES[kind];
    await this.requireGrant(kind, resource, userId, username);
    await this.db.deleteFrom(table).where(key, "=", resource).where("user_id", "=", userId).execute();
    this.changed();
  }

  /** Removes every grant on a resource, to users and groups (a deleted model's name must not pass them on). */
  async deleteAllGrants(kind: ResourceKind, resource: string): Promise<void> {
    const { table, key } = TABLES[kind];
    await this.db.deleteFrom(table).where(key, "=", resource).execute();
    await this.db.deleteFrom(GROUP_GRANTS_TABLE).where("kind", "=", kind).where("resource", "=", resource).execute();
    this.changed();
  }

  /** Moves every grant on a resource, to users and groups, to its new name (registered-model rename). */
  async renameGrants(kind: ResourceKind, from: string, to: string): Promise<void> {
    const { table, key } = TABLES[kind];
    await this.db.updateTable(table).set({ [key]: to }).where(key, "=", from).execute();
    await this.db.updateTable(GROUP_GRANTS_TABLE).set({ resource: to }).where("kind", "=", kind).where("resource", "=", from).execute();
    this.changed();
  }

  /** The grants of any of `groups` on one resource. */
  async groupGrantsOn(kind: ResourceKind, resource: string, groups: readonly string[]): Promise<Permission[]> {
    if (groups.length === 0) return [];
    const rows = (await this.db.selectFrom(GROUP_GRANTS_TABLE).select("permission").where("kind", "=", kind).where("resource", "=", resource).where("group_name", "in", groups).execute()) as { permission: string }[];
    return rows.map((r) => r.permission as Permission);
  }

  /** Every grant of any of `groups` of one kind, by resource. */
  async groupGrantsOf(kind: ResourceKind, groups: readonly string[]): Promise<{ resource: string; permission: Permission }[]> {
    if (groups.length === 0) return [];
    const rows = (await this.db.selectFrom(GROUP_GRANTS_TABLE).select(["resource", "permission"]).where("kind", "=", kind).where("group_name", "in", groups).execute()) as {
      resource: string;
      permission: string;
    }[];
    return rows.map((r) => ({ resource: r.resource, permission: r.permission as Permission }));
  }

  /** Every group grant, or one group's. */
  async listGroupGrants(group?: string): Promise<GroupGrant[]> {
    let q = this.db.selectFrom(GROUP_GRANTS_TABLE).selectAll().orderBy("group_name").orderBy("kind").orderBy("resource");
    if (group !== undefined) q = q.where("group_name", "=", group);
    return ((await q.execute()) as { group_name: string; kind: ResourceKind; resource: string; permission: Permission }[]).map((r) => ({ group: r.group_name, kind: r.kind, resource: r.resource, permission: r.permission }));
  }

  /** Grants (or changes) a group's permission on a resource. */
  async setGroupGrant(group: string, kind: ResourceKind, resource: string, permission: string): Promise<GroupGrant> {
    const p = parsePermission(permission);
    await withTransaction(this.database, async (trx) => {
      await trx.deleteFrom(GROUP_GRANTS_TABLE).where("group_name", "=", group).where("kind", "=", kind).where("resource", "=", resource).execute();
      await trx.insertInto(GROUP_GRANTS_TABLE).values({ group_name: group, kind, resource, permission: p }).execute();
    });
    this.changed();
    return { group, kind, resource, permission: p };
  }

  /** Revokes a group's grant (404 when there is none). */
  async deleteGroupGrant(group: string, kind: ResourceKind, resource: string): Promise<void> {
    const result = await this.db.deleteFrom(GROUP_GRANTS_TABLE).where("group_name", "=", group).where("kind", "=", kind).where("resource", "=", resource).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(`Group permission (group=${group}, ${kind}=${resource}) not found`);
    this.changed();
  }

  /** Grants MANAGE to a creator, replacing a stale row left by an earlier resource of that name. */
  async grantCreator(kind: ResourceKind, resource: string, userId: number): Promise<void> {
    const { table, key } = TABLES[kind];
    await withTransaction(this.database, async (trx) => {
      await trx.deleteFrom(table).where(key, "=", resource).where("user_id", "=", userId).execute();
      await trx.insertInto(table).values({ [key]: resource, user_id: userId, permission: "MANAGE" }).execute();
    });
    this.changed();
  }
}

/**
 * Opens (and creates where missing) the auth database an app keeps its users and grants in: any
 * URI the store accepts (`sqlite:///auth.db`, `postgresql://…`), relative paths from `cwd`.
 *
 * @example
 * const store = await openAuthStore("sqlite:///oidc_auth.db", process.cwd());
 */
export async function openAuthStore(uri: string, cwd: string): Promise<AuthStore> {
  const store = new AuthStore(await createDatabase(uri, { cwd }));
  await store.migrate();
  return store;
}
