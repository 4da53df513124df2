import type { Kysely, Migration } from "kysely";
import type { DialectName } from "../create-database.js";

/**
 * The tracking schema: experiments, runs, metrics (full history + latest per key), params, tags,
 * datasets and run inputs. Names follow MLflow's SQL store so the data reads familiarly.
 */
export function trackingSchema(dialect: DialectName): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      let experiments = db.schema.createTable("experiments");
      experiments =
        dialect === "postgres"
          ? experiments.addColumn("experiment_id", "serial", (c) => c.primaryKey())
          : experiments.addColumn("experiment_id", "integer", (c) => c.primaryKey().autoIncrement());
      await experiments
        .addColumn("name", "varchar(500)", (c) => c.notNull().unique())
        .addColumn("artifact_location", "text", (c) => c.notNull())
        .addColumn("lifecycle_stage", "varchar(32)", (c) => c.notNull())
        .addColumn("creation_time", "bigint", (c) => c.notNull())
        .addColumn("last_update_time", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("experiment_tags")
        .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
        .addColumn("key", "varchar(250)", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("experiment_tags_pk", ["experiment_id", "key"])
        .execute();

      await db.schema
        .createTable("runs")
        .addColumn("run_uuid", "varchar(32)", (c) => c.primaryKey())
        .addColumn("name", "varchar(250)", (c) => c.notNull())
        .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
        .addColumn("user_id", "varchar(256)", (c) => c.notNull())
        .addColumn("status", "varchar(20)", (c) => c.notNull())
        .addColumn("start_time", "bigint", (c) => c.notNull())
        .addColumn("end_time", "bigint")
        .addColumn("deleted_time", "bigint")
        .addColumn("lifecycle_stage", "varchar(20)", (c) => c.notNull())
        .addColumn("artifact_uri", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("runs_experiment_start").on("runs").columns(["experiment_id", "start_time"]).execute();

      // Full history; the primary key is what makes a replayed log-batch a no-op.
      await db.schema
        .createTable("metrics")
        .addColumn("run_uuid", "varchar(32)", (c) => c.notNull().references("runs.run_uuid"))
        .addColumn("key", "varchar(250)", (c) => c.notNull())
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .addColumn("step", "bigint", (c) => c.notNull())
        .addColumn("value", "double precision", (c) => c.notNull())
        .addColumn("is_nan", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("metrics_pk", ["run_uuid", "key", "timestamp", "step", "value", "is_nan"])
        .execute();

      await db.schema
        .createTable("latest_metrics")
        .addColumn("run_uuid", "varchar(32)", (c) => c.notNull().references("runs.run_uuid"))
        .addColumn("key", "varchar(250)", (c) => c.notNull())
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .addColumn("step", "bigint", (c) => c.notNull())
        .addColumn("value", "double precision", (c) => c.notNull())
        .addColumn("is_nan", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("latest_metrics_pk", ["run_uuid", "key"])
        .execute();
      await db.schema.createIndex("latest_metrics_key_value").on("latest_metrics").columns(["key", "value"]).execute();

      for (const table of ["params", "tags"]) {
        await db.schema
          .createTable(table)
          .addColumn("run_uuid", "varchar(32)", (c) => c.notNull().references("runs.run_uuid"))
          .addColumn("key", "varchar(250)", (c) => c.notNull())
          .addColumn("value", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ["run_uuid", "key"])
          .execute();
        await db.schema.createIndex(`${table}_key_value`).on(table).columns(["key", "run_uuid"]).execute();
      }

      await db.schema
        .createTable("datasets")
        .addColumn("dataset_uuid", "varchar(36)", (c) => c.primaryKey())
        .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
        .addColumn("name", "varchar(500)", (c) => c.notNull())
        .addColumn("digest", "varchar(36)", (c) => c.notNull())
        .addColumn("source_type", "varchar(36)", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("schema", "text")
        .addColumn("profile", "text")
        .addUniqueConstraint("datasets_experiment_name_digest", ["experiment_id", "name", "digest"])
        .execute();

      // A dataset (or, from MLflow 3, a logged model) linked to a run as an input.
      await db.schema
        .createTable("inputs")
        .addColumn("input_uuid", "varchar(36)", (c) => c.primaryKey())
        .addColumn("source_type", "varchar(36)", (c) => c.notNull())
        .addColumn("source_id", "varchar(36)", (c) => c.notNull())
        .addColumn("destination_type", "varchar(36)", (c) => c.notNull())
        .addColumn("destination_id", "varchar(36)", (c) => c.notNull())
        .addUniqueConstraint("inputs_link", ["source_type", "source_id", "destination_type", "destination_id"])
        .execute();
      await db.schema.createIndex("inputs_destination").on("inputs").columns(["destination_type", "destination_id"]).execute();

      await db.schema
        .createTable("input_tags")
        .addColumn("input_uuid", "varchar(36)", (c) => c.notNull().references("inputs.input_uuid"))
        .addColumn("name", "varchar(255)", (c) => c.notNull())
        .addColumn("value", "varchar(500)", (c) => c.notNull())
        .addPrimaryKeyConstraint("input_tags_pk", ["input_uuid", "name"])
        .execute();

    },
  };
}
