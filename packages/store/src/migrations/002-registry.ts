import type { Kysely, Migration } from "kysely";

/**
 * The model registry (registered models, versions, tags, aliases) and MLflow 3 logged models, plus
 * the run ↔ logged-model links. Children follow their registered model on rename and delete
 * through `ON UPDATE/DELETE CASCADE`, so a rename is one statement.
 */
export function registrySchema(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("registered_models")
        .addColumn("name", "varchar(256)", (c) => c.primaryKey())
        .addColumn("creation_time", "bigint", (c) => c.notNull())
        .addColumn("last_updated_time", "bigint", (c) => c.notNull())
        .addColumn("description", "text")
        .execute();
      await db.schema
        .createTable("registered_model_tags")
        .addColumn("name", "varchar(256)", (c) => c.notNull().references("registered_models.name").onDelete("cascade").onUpdate("cascade"))
        .addColumn("key", "varchar(250)", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("registered_model_tags_pk", ["name", "key"])
        .execute();
      await db.schema
        .createTable("model_versions")
        .addColumn("name", "varchar(256)", (c) => c.notNull().references("registered_models.name").onDelete("cascade").onUpdate("cascade"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("creation_time", "bigint", (c) => c.notNull())
        .addColumn("last_updated_time", "bigint", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("user_id", "varchar(256)")
        .addColumn("current_stage", "varchar(20)", (c) => c.notNull())
        .addColumn("source", "text")
        .addColumn("run_id", "varchar(32)")
        .addColumn("run_link", "text")
        .addColumn("status", "varchar(20)", (c) => c.notNull())
        .addColumn("status_message", "text")
        .addColumn("model_id", "varchar(64)")
        .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
        .execute();
      await db.schema.createIndex("model_versions_run").on("model_versions").column("run_id").execute();
      await db.schema
        .createTable("model_version_tags")
        .addColumn("name", "varchar(256)", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("key", "varchar(250)", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("model_version_tags_pk", ["name", "version", "key"])
        .addForeignKeyConstraint("model_version_tags_fk", ["name", "version"], "model_versions", ["name", "version"], (c) =>
          c.onDelete("cascade").onUpdate("cascade"),
        )
        .execute();
      await db.schema
        .createTable("registered_model_aliases")
        .addColumn("name", "varchar(256)", (c) => c.notNull().references("registered_models.name").onDelete("cascade").onUpdate("cascade"))
        .addColumn("alias", "varchar(256)", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("registered_model_aliases_pk", ["name", "alias"])
        .execute();

      await db.schema
        .createTable("logged_models")
        .addColumn("model_id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
        .addColumn("name", "varchar(500)", (c) => c.notNull())
        .addColumn("artifact_location", "text", (c) => c.notNull())
        .addColumn("creation_timestamp_ms", "bigint", (c) => c.notNull())
        .addColumn("last_updated_timestamp_ms", "bigint", (c) => c.notNull())
        .addColumn("status", "integer", (c) => c.notNull())
        .addColumn("lifecycle_stage", "varchar(32)", (c) => c.notNull())
        .addColumn("model_type", "varchar(500)")
        .addColumn("source_run_id", "varchar(32)")
        .addColumn("status_message", "text")
        .execute();
      await db.schema.createIndex("logged_models_experiment").on("logged_models").columns(["experiment_id", "creation_timestamp_ms"]).execute();
      for (const table of ["logged_model_params", "logged_model_tags"]) {
        await db.schema
          .createTable(table)
          .addColumn("model_id", "varchar(64)", (c) => c.notNull().references("logged_models.model_id"))
          .addColumn("key", "varchar(255)", (c) => c.notNull())
          .addColumn("value", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ["model_id", "key"])
          .execute();
      }
      await db.schema
        .createTable("logged_model_metrics")
        .addColumn("model_id", "varchar(64)", (c) => c.notNull().references("logged_models.model_id"))
        .addColumn("key", "varchar(250)", (c) => c.notNull())
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .addColumn("step", "bigint", (c) => c.notNull())
        .addColumn("value", "double precision", (c) => c.notNull())
        .addColumn("is_nan", "integer", (c) => c.notNull())
        .addColumn("run_id", "varchar(32)", (c) => c.notNull())
        .addColumn("dataset_name", "varchar(500)", (c) => c.notNull().defaultTo(""))
        .addColumn("dataset_digest", "varchar(36)", (c) => c.notNull().defaultTo(""))
        .addPrimaryKeyConstraint("logged_model_metrics_pk", ["model_id", "key", "timestamp", "step", "run_id", "dataset_name", "dataset_digest"])
        .execute();
      await db.schema
        .createTable("run_model_outputs")
        .addColumn("run_uuid", "varchar(32)", (c) => c.notNull().references("runs.run_uuid"))
        .addColumn("model_id", "varchar(64)", (c) => c.notNull().references("logged_models.model_id"))
        .addColumn("step", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("run_model_outputs_pk", ["run_uuid", "model_id"])
        .execute();
    },
  };
}
