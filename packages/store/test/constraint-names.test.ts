import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createDatabase, SqlTrackingStore } from "@mlflow-ts/store";

// MLflow's later migrations drop SQLite constraints by name through Alembic's batch mode, which
// finds them by reading the table's SQL back; SQLAlchemy 1.4 reads only bare names there. Measured
// with MLflow 3.6's `mlflow db upgrade` on a database this server created: with quoted names it
// failed ("No such constraint: 'registered_model_pk'"), with bare names it upgraded.
describe("SQLite constraint names", () => {
  it("are written bare, as SQLAlchemy writes MLflow's", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ts-constraints-"));
    const file = path.join(dir, "mlflow.db");
    const database = await createDatabase(`sqlite:///${file}`);
    await SqlTrackingStore.open(database, { defaultArtifactRoot: "mlflow-artifacts:/" });
    await database.close();
    const db = new SQLite(file, { readonly: true });
    const sqlOf = (table: string) => (db.prepare("select sql from sqlite_master where type = 'table' and name = ?").get(table) as { sql: string }).sql;
    expect(sqlOf("registered_models")).toContain("CONSTRAINT registered_model_pk PRIMARY KEY");
    expect(sqlOf("spans")).toContain("CONSTRAINT fk_spans_trace_id FOREIGN KEY");
    const quoted = (db.prepare("select name from sqlite_master where type = 'table' and sql like '%CONSTRAINT \"%'").all() as { name: string }[]).map((r) => r.name);
    expect(quoted).toEqual([]);
    db.close();
  });
});
