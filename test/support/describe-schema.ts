import { sql, type Kysely } from "kysely";
import type { Database } from "@mlflow-ts/store";

/** One column as the database reports it: type, nullability, default, generated expression. */
export interface ColumnFacts {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly default: string | null;
  readonly generated: string | null;
}

/** A table as the database reports it, sorted so two databases compare with `toEqual`. */
export interface TableFacts {
  readonly columns: readonly ColumnFacts[];
  /** `name(col, …)`, `unique ` first when unique; backing indexes of keys included. */
  readonly indexes: readonly string[];
  /** `(cols) -> table(cols) on delete ACTION`, with the name where the database keeps one. */
  readonly foreignKeys: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;
const norm = (v: unknown) => (v === null || v === undefined ? null : String(v));

async function sqliteTable(db: Db, table: string): Promise<TableFacts> {
  const cols = await sql<{ name: string; type: string; notnull: number; dflt_value: string | null; hidden: number }>`select * from pragma_table_xinfo(${table})`.execute(db);
  const ddl = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db)).rows[0]?.sql ?? "";
  const columns = cols.rows.map((c) => ({
    name: c.name,
    type: c.type,
    notNull: c.notnull === 1,
    default: norm(c.dflt_value),
    // hidden 3 = STORED generated; the expression is only in the table's DDL.
    generated: c.hidden === 3 ? (new RegExp(`"?${c.name}"?\\s+\\w+\\s+GENERATED ALWAYS AS \\((.*?)\\) STORED`).exec(ddl)?.[1] ?? "?") : null,
  }));
  const list = await sql<{ name: string; unique: number }>`select name, "unique" from pragma_index_list(${table})`.execute(db);
  const indexes: string[] = [];
  for (const i of list.rows) {
    const info = await sql<{ name: string }>`select name from pragma_index_info(${i.name}) order by seqno`.execute(db);
    // SQLite's automatic indexes are named by position, which depends on the DDL's order of keys.
    const name = i.name.startsWith("sqlite_autoindex_") ? "(auto)" : i.name;
    indexes.push(`${i.unique ? "unique " : ""}${name}(${info.rows.map((r) => r.name).join(", ")})`);
  }
  const fks = await sql<{ id: number; table: string; from: string; to: string; on_delete: string }>`select * from pragma_foreign_key_list(${table}) order by id, seq`.execute(db);
  const byId = new Map<number, { from: string[]; to: string[]; table: string; onDelete: string }>();
  for (const f of fks.rows) {
    const fk = byId.get(f.id) ?? { from: [], to: [], table: f.table, onDelete: f.on_delete };
    fk.from.push(f.from);
    fk.to.push(f.to);
    byId.set(f.id, fk);
  }
  const foreignKeys = [...byId.values()].map((f) => `(${f.from.join(", ")}) -> ${f.table}(${f.to.join(", ")}) on delete ${f.onDelete}`);
  return { columns: sortByName(columns), indexes: indexes.sort(), foreignKeys: foreignKeys.sort() };
}

async function postgresTable(db: Db, table: string): Promise<TableFacts> {
  const cols = await sql<{ column_name: string; data_type: string; len: number | null; is_nullable: string; column_default: string | null; generation_expression: string | null }>`
    select column_name, data_type, character_maximum_length as len, is_nullable, column_default, generation_expression
    from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db);
  const columns = cols.rows.map((c) => ({
    name: c.column_name,
    type: c.len ? `${c.data_type}(${c.len})` : c.data_type,
    notNull: c.is_nullable === "NO",
    default: norm(c.column_default),
    generated: norm(c.generation_expression),
  }));
  const idx = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db);
  const indexes = idx.rows.map((i) => `${/UNIQUE INDEX/.test(i.indexdef) ? "unique " : ""}${i.indexname}(${/\((.*)\)$/.exec(i.indexdef)?.[1]})`);
  const fks = await sql<{ conname: string; def: string }>`select c.conname, pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_class t on t.oid = c.conrelid
    where c.contype = 'f' and t.relname = ${table} and t.relnamespace = current_schema()::regnamespace`.execute(db);
  return { columns: sortByName(columns), indexes: indexes.sort(), foreignKeys: fks.rows.map((f) => `${f.conname}: ${f.def}`).sort() };
}

async function mysqlTable(db: Db, table: string): Promise<TableFacts> {
  const cols = await sql<{ name: string; type: string; nullable: string; dflt: string | null; expr: string | null }>`
    select column_name as name, column_type as type, is_nullable as nullable, column_default as dflt, generation_expression as expr
    from information_schema.columns where table_schema = database() and table_name = ${table}`.execute(db);
  const columns = cols.rows.map((c) => ({ name: c.name, type: c.type, notNull: c.nullable === "NO", default: norm(c.dflt), generated: c.expr ? c.expr : null }));
  const stats = await sql<{ name: string; non_unique: number; col: string }>`
    select index_name as name, non_unique, column_name as col from information_schema.statistics
    where table_schema = database() and table_name = ${table} order by index_name, seq_in_index`.execute(db);
  const byName = new Map<string, { unique: boolean; cols: string[] }>();
  for (const s of stats.rows) {
    const i = byName.get(s.name) ?? { unique: Number(s.non_unique) === 0, cols: [] };
    i.cols.push(s.col);
    byName.set(s.name, i);
  }
  const indexes = [...byName].map(([name, i]) => `${i.unique ? "unique " : ""}${name}(${i.cols.join(", ")})`);
  const fks = await sql<{ name: string; rule: string; ref: string }>`
    select constraint_name as name, delete_rule as rule, referenced_table_name as ref from information_schema.referential_constraints
    where constraint_schema = database() and table_name = ${table}`.execute(db);
  return { columns: sortByName(columns), indexes: indexes.sort(), foreignKeys: fks.rows.map((f) => `${f.name} -> ${f.ref} on delete ${f.rule}`).sort() };
}

const sortByName = (columns: ColumnFacts[]) => [...columns].sort((a, b) => a.name.localeCompare(b.name));

/**
 * Columns, indexes and foreign keys of some tables, read from the database's own catalogue, so
 * databases that took different paths to one revision can be compared.
 *
 * @example
 * expect(await describeTables(fresh, ["spans"])).toEqual(await describeTables(upgraded, ["spans"]));
 */
export async function describeTables(database: Database, tables: readonly string[]): Promise<Record<string, TableFacts>> {
  const read = database.dialect === "sqlite" ? sqliteTable : database.dialect === "postgres" ? postgresTable : mysqlTable;
  const out: Record<string, TableFacts> = {};
  for (const table of tables) out[table] = await read(database.db, table);
  return out;
}
