import type { DialectName } from "../create-database.js";

/** A column type, as MLflow's SQLAlchemy models declare it; {@link columnType} renders it per dialect. */
export type ColumnType =
  | { readonly kind: "varchar"; readonly length: number }
  | { readonly kind: "text"; readonly mysql?: "MEDIUMTEXT" | "LONGTEXT" }
  | { readonly kind: "bigint" }
  | { readonly kind: "integer" }
  /** `Float(precision=53)`: a 64-bit double everywhere. */
  | { readonly kind: "double" }
  /**
   * Non-native on SQLite and MySQL, native on PostgreSQL. The 0/1 CHECK that SQLAlchemy < 1.4 added
   * on the non-native dialects (metrics.is_nan) is there unless `check` is false: tables created
   * by MLflow 3.x's migrations (SQLAlchemy 2) have none.
   */
  | { readonly kind: "boolean"; readonly check?: false }
  /** SQLAlchemy's `JSON`: `JSON` on SQLite (TEXT affinity) and MySQL, `json` on PostgreSQL. */
  | { readonly kind: "json" }
  /** The auto-increment integer key of `experiments`. */
  | { readonly kind: "serial" };

/**
 * A column: name, type, nullability and server default (a number or a string literal), or the
 * expression of a stored generated column (`spans.duration_ns`), which nobody inserts or updates.
 */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly notNull?: boolean;
  readonly default?: number | string | boolean;
  /** `GENERATED ALWAYS AS (<expression>) STORED`: SQLite ≥ 3.31, PostgreSQL ≥ 12, MySQL 5.7 and MariaDB ≥ 10.2 all take this spelling. */
  readonly generated?: string;
}

/** A foreign key; unnamed ones get the dialect's own name, as MLflow's do. */
export interface ForeignKeyDef {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly table: string;
  readonly references: readonly string[];
  readonly onDelete?: "CASCADE" | "SET NULL";
  readonly onUpdate?: "CASCADE";
}

/** A table as MLflow creates it: columns, named primary key, uniques, checks, foreign keys, indexes. */
export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: { readonly name: string; readonly columns: readonly string[] };
  /** Unique constraints, unnamed unless `name`; `dialects` limits one to some dialects (MLflow's differ). */
  readonly uniques?: readonly { readonly name?: string; readonly columns: readonly string[]; readonly dialects?: readonly DialectName[] }[];
  readonly checks?: readonly { readonly name?: string; readonly expression: string }[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly indexes?: readonly { readonly name: string; readonly columns: readonly string[]; readonly unique?: boolean }[];
}

/**
 * Quotes an identifier for a dialect (`key` and `timestamp` are reserved words in some).
 *
 * @example
 * quote("key", "mysql"); // "`key`"
 */
export function quote(name: string, dialect: DialectName): string {
  return dialect === "mysql" ? `\`${name}\`` : `"${name}"`;
}

/**
 * The SQL type of a column on a dialect, as MLflow's dumps show it (mlflow-sql-schema.md §3.0).
 *
 * @example
 * columnType({ kind: "double" }, "postgres"); // "DOUBLE PRECISION"
 */
export function columnType(type: ColumnType, dialect: DialectName): string {
  switch (type.kind) {
    case "varchar":
      return `VARCHAR(${type.length})`;
    case "text":
      return dialect === "mysql" && type.mysql ? type.mysql : "TEXT";
    case "bigint":
      return "BIGINT";
    case "integer":
      return "INTEGER";
    case "double":
      return dialect === "postgres" ? "DOUBLE PRECISION" : dialect === "mysql" ? "DOUBLE" : "FLOAT";
    case "boolean":
      return dialect === "mysql" ? "TINYINT(1)" : "BOOLEAN";
    case "serial":
      return dialect === "postgres" ? "SERIAL" : "INTEGER";
    case "json":
      return "JSON";
  }
}

function literal(value: number | string | boolean, type: ColumnType, dialect: DialectName): string {
  if (type.kind === "boolean") return dialect === "postgres" ? (value ? "true" : "false") : `'${value ? 1 : 0}'`;
  return typeof value === "number" ? `'${value}'` : `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * One column's definition inside CREATE TABLE or ALTER TABLE … ADD COLUMN.
 *
 * @example
 * columnSql({ name: "outputs", type: { kind: "json" } }, "postgres"); // '"outputs" JSON'
 */
export function columnSql(column: ColumnDef, dialect: DialectName): string {
  let sql = `${quote(column.name, dialect)} ${columnType(column.type, dialect)}`;
  if (column.generated) return `${sql} GENERATED ALWAYS AS (${column.generated}) STORED`;
  if (column.default !== undefined) sql += ` DEFAULT ${literal(column.default, column.type, dialect)}`;
  if (column.notNull || column.type.kind === "serial") sql += " NOT NULL";
  if (column.type.kind === "serial" && dialect === "mysql") sql += " AUTO_INCREMENT";
  return sql;
}

/**
 * The body of a CREATE TABLE for a dialect (columns and constraints, no indexes).
 *
 * @example
 * createTableSql(TABLES.tags, "sqlite"); // 'CREATE TABLE "tags" (…)'
 */
export function createTableSql(table: TableDef, dialect: DialectName, name = table.name): string {
  const q = (n: string) => quote(n, dialect);
  const list = (cols: readonly string[]) => cols.map(q).join(", ");
  const parts = table.columns.map((c) => columnSql(c, dialect));
  // Constraint names are written bare where they are plain words, as SQLAlchemy writes MLflow's:
  // SQLAlchemy 1.4 reads a SQLite table's constraint names back only in that form, and MLflow's
  // later migrations drop constraints by name (a quoted one: "No such constraint").
  const named = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : q(name));
  parts.push(`CONSTRAINT ${named(table.primaryKey.name)} PRIMARY KEY (${list(table.primaryKey.columns)})`);
  for (const unique of table.uniques ?? []) {
    if (!unique.dialects || unique.dialects.includes(dialect)) parts.push(`${unique.name ? `CONSTRAINT ${named(unique.name)} ` : ""}UNIQUE (${list(unique.columns)})`);
  }
  for (const check of table.checks ?? []) parts.push(`${check.name ? `CONSTRAINT ${named(check.name)} ` : ""}CHECK (${check.expression})`);
  // Non-native booleans hold 0 or 1 (SQLAlchemy's CHECK); PostgreSQL's are native.
  if (dialect !== "postgres") {
    for (const c of table.columns) if (c.type.kind === "boolean" && c.type.check !== false) parts.push(`CHECK (${q(c.name)} IN (0, 1))`);
  }
  for (const fk of table.foreignKeys ?? []) {
    let sql = `${fk.name ? `CONSTRAINT ${named(fk.name)} ` : ""}FOREIGN KEY (${list(fk.columns)}) REFERENCES ${q(fk.table)} (${list(fk.references)})`;
    if (fk.onDelete) sql += ` ON DELETE ${fk.onDelete}`;
    if (fk.onUpdate) sql += ` ON UPDATE ${fk.onUpdate}`;
    parts.push(sql);
  }
  return `CREATE TABLE ${q(name)} (\n\t${parts.join(",\n\t")}\n)`;
}

/**
 * The CREATE INDEX statements of a table.
 *
 * @example
 * createIndexSql(TABLES.tags, "postgres"); // ['CREATE INDEX "index_tags_run_uuid" ON "tags" ("run_uuid")']
 */
export function createIndexSql(table: TableDef, dialect: DialectName): string[] {
  const q = (n: string) => quote(n, dialect);
  return (table.indexes ?? []).map((i) => `CREATE ${i.unique ? "UNIQUE " : ""}INDEX ${q(i.name)} ON ${q(table.name)} (${i.columns.map(q).join(", ")})`);
}

/**
 * Everything that creates a table: CREATE TABLE, then its indexes.
 *
 * @example
 * for (const sql of createTableStatements(TABLES.metrics, "mysql")) await run(sql);
 */
export function createTableStatements(table: TableDef, dialect: DialectName): string[] {
  return [createTableSql(table, dialect), ...createIndexSql(table, dialect)];
}
