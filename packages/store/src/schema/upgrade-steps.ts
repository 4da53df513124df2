import { sql, type Kysely } from "kysely";
import type { DialectName } from "../create-database.js";
import { columnSql, createIndexSql, createTableSql, createTableStatements, quote, type ColumnDef, type TableDef } from "./ddl.js";
import { MLFLOW3_COLUMNS } from "./mlflow3-tables.js";
import type { Revision } from "./revisions.js";
import { TABLES } from "./tables.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/** One migration of MLflow's chain, as this server performs it (written from the facts of each revision). */
export interface UpgradeStep {
  readonly revision: Revision;
  readonly description: string;
  up(db: Db, dialect: DialectName): Promise<void>;
}

const run = async (db: Db, statement: string) => {
  await sql.raw(statement).execute(db);
};

/**
 * Rebuilds a SQLite table to a new definition, as Alembic's batch mode does: SQLite cannot alter a
 * column or a constraint in place. Only tables no foreign key points at are rebuilt here.
 */
async function rebuildSqliteTable(db: Db, table: TableDef): Promise<void> {
  const q = (n: string) => quote(n, "sqlite");
  const temp = `_alembic_tmp_${table.name}`;
  const columns = table.columns.map((c) => q(c.name)).join(", ");
  await run(db, createTableSql(table, "sqlite", temp));
  await run(db, `INSERT INTO ${q(temp)} (${columns}) SELECT ${columns} FROM ${q(table.name)}`);
  await run(db, `DROP TABLE ${q(table.name)}`);
  await run(db, `ALTER TABLE ${q(temp)} RENAME TO ${q(table.name)}`);
  for (const statement of createIndexSql(table, "sqlite")) await run(db, statement);
}

/** The name of the foreign key from `table` to `referenced` (PostgreSQL and MySQL name unnamed ones themselves). */
async function foreignKeyName(db: Db, dialect: DialectName, table: string, referenced: string): Promise<string | undefined> {
  const rows =
    dialect === "postgres"
      ? await sql<{ name: string }>`select c.conname as name from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid
          where c.contype = 'f' and t.relname = ${table} and r.relname = ${referenced} and t.relnamespace = current_schema()::regnamespace`.execute(db)
      : await sql<{ name: string }>`select constraint_name as name from information_schema.referential_constraints
          where constraint_schema = database() and table_name = ${table} and referenced_table_name = ${referenced}`.execute(db);
  return rows.rows[0]?.name;
}

/** Replaces a table's foreign key to `referenced` with the one of the new definition. */
async function replaceForeignKey(db: Db, dialect: DialectName, table: TableDef, referenced: string): Promise<void> {
  if (dialect === "sqlite") return rebuildSqliteTable(db, table);
  const q = (n: string) => quote(n, dialect);
  const old = await foreignKeyName(db, dialect, table.name, referenced);
  if (old) await run(db, `ALTER TABLE ${q(table.name)} DROP ${dialect === "mysql" ? "FOREIGN KEY" : "CONSTRAINT"} ${q(old)}`);
  const fk = table.foreignKeys!.find((f) => f.table === referenced)!;
  let add = `ALTER TABLE ${q(table.name)} ADD CONSTRAINT ${q(fk.name!)} FOREIGN KEY (${fk.columns.map(q).join(", ")}) REFERENCES ${q(fk.table)} (${fk.references.map(q).join(", ")})`;
  if (fk.onDelete) add += ` ON DELETE ${fk.onDelete}`;
  await run(db, add);
}

/** Changes a column's type to the one of the new definition. */
async function retypeColumn(db: Db, dialect: DialectName, table: TableDef, column: string, sqlType: string): Promise<void> {
  if (dialect === "sqlite") return rebuildSqliteTable(db, table);
  const q = (n: string) => quote(n, dialect);
  const notNull = table.columns.find((c) => c.name === column)?.notNull ? " NOT NULL" : " NULL";
  await run(db, dialect === "postgres" ? `ALTER TABLE ${q(table.name)} ALTER COLUMN ${q(column)} TYPE ${sqlType}` : `ALTER TABLE ${q(table.name)} MODIFY ${q(column)} ${sqlType}${notNull}`);
}

/**
 * Adds nullable columns in place. On SQLite too: MLflow's batch mode would copy the table, but an
 * added nullable column needs no copy, and a copy of a table others reference (trace_info) would
 * cascade its DROP into their rows with foreign keys on.
 */
async function addColumns(db: Db, dialect: DialectName, table: string, columns: readonly ColumnDef[]): Promise<void> {
  for (const column of columns) await run(db, `ALTER TABLE ${quote(table, dialect)} ADD COLUMN ${columnSql(column, dialect)}`);
}

async function createTables(db: Db, dialect: DialectName, tables: readonly TableDef[]): Promise<void> {
  for (const table of tables) for (const statement of createTableStatements(table, dialect)) await run(db, statement);
}

/**
 * The steps from `acf3f17fdcc7` (MLflow 2.8–2.12) to {@link NEWEST}, in chain order. Each does what
 * MLflow's migration of that revision does to the tables, per dialect.
 */
export const UPGRADE_STEPS: readonly UpgradeStep[] = [
  {
    revision: "867495a8f9d4",
    description: "add trace tables",
    up: (db, dialect) => createTables(db, dialect, [TABLES.traceInfo, TABLES.traceTags, TABLES.traceRequestMetadata]),
  },
  {
    revision: "5b0e9adcef9c",
    description: "trace tags and request metadata deleted with their trace",
    up: async (db, dialect) => {
      await replaceForeignKey(db, dialect, TABLES.traceTagsCascade, "trace_info");
      await replaceForeignKey(db, dialect, TABLES.traceRequestMetadataCascade, "trace_info");
    },
  },
  {
    revision: "4465047574b1",
    description: "MySQL: datasets.dataset_schema MEDIUMTEXT",
    up: async (db, dialect) => {
      if (dialect === "mysql") await retypeColumn(db, dialect, TABLES.datasetsMediumSchema, "dataset_schema", "MEDIUMTEXT");
    },
  },
  {
    revision: "f5a4f2784254",
    description: "run tag values up to 8000 characters",
    up: (db, dialect) => retypeColumn(db, dialect, TABLES.tags8000, "value", "VARCHAR(8000)"),
  },
  {
    revision: "0584bdc529eb",
    description: "datasets deleted with their experiment",
    up: (db, dialect) => replaceForeignKey(db, dialect, TABLES.datasetsCascade, "experiments"),
  },
  {
    revision: "400f98739977",
    description: "add logged model tables",
    up: (db, dialect) => createTables(db, dialect, [TABLES.loggedModels, TABLES.loggedModelMetrics, TABLES.loggedModelParams, TABLES.loggedModelTags]),
  },
  {
    revision: "6953534de441",
    description: "add inputs.step",
    up: (db, dialect) => run(db, `ALTER TABLE ${quote("inputs", dialect)} ADD COLUMN ${quote("step", dialect)} BIGINT DEFAULT '0' NOT NULL`),
  },
  {
    revision: "bda7b8c39065",
    description: "model version tag values as TEXT",
    up: (db, dialect) => retypeColumn(db, dialect, TABLES.modelVersionTagsText, "value", "TEXT"),
  },
  {
    revision: "cbc13b556ace",
    description: "add trace_info.client_request_id, request_preview, response_preview",
    up: (db, dialect) => addColumns(db, dialect, "trace_info", MLFLOW3_COLUMNS.traceInfo),
  },
  {
    revision: "770bee3ae1dd",
    description: "add assessments table",
    up: (db, dialect) => createTables(db, dialect, [TABLES.assessments]),
  },
  {
    revision: "a1b2c3d4e5f6",
    description: "add spans table (duration_ns computed by the database)",
    up: (db, dialect) => createTables(db, dialect, [TABLES.spans]),
  },
  {
    revision: "de4033877273",
    description: "add entity_associations table",
    up: (db, dialect) => createTables(db, dialect, [TABLES.entityAssociations]),
  },
  {
    revision: "1a0cddfcaa16",
    description: "add webhooks and webhook_events tables",
    up: (db, dialect) => createTables(db, dialect, [TABLES.webhooks, TABLES.webhookEvents]),
  },
  {
    revision: "534353b11cbc",
    description: "add scorers and scorer_versions tables",
    up: (db, dialect) => createTables(db, dialect, [TABLES.scorers, TABLES.scorerVersions]),
  },
  {
    revision: "71994744cf8e",
    description: "add evaluation dataset tables",
    up: (db, dialect) => createTables(db, dialect, [TABLES.evaluationDatasets, TABLES.evaluationDatasetTags, TABLES.evaluationDatasetRecords]),
  },
  {
    revision: "3da73c924c2f",
    description: "add evaluation_dataset_records.outputs",
    up: (db, dialect) => addColumns(db, dialect, "evaluation_dataset_records", MLFLOW3_COLUMNS.evaluationDatasetRecords),
  },
  {
    revision: "bf29a5ff90ea",
    description: "add jobs table",
    up: (db, dialect) => createTables(db, dialect, [TABLES.jobs]),
  },
];
