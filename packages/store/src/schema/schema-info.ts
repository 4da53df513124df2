import { MlflowError } from "@mlflow-ts/protocol";
import { RELEASE_OF, describeRevision, revisionIndex, type Revision } from "./revisions.js";

/**
 * The revision of the database being served, and what it therefore has. Features a revision lacks
 * answer a clear error naming the revision they need ({@link require}), never a SQL error.
 *
 * @example
 * const schema = new SchemaInfo("acf3f17fdcc7");
 * schema.atLeast("400f98739977"); // false: no logged models before MLflow 3.0
 */
export class SchemaInfo {
  private readonly index: number;

  /**
   * @param metricStepIndex the database's index on `metrics (run_uuid, key, step)`, MLflow's or
   *   this server's (see `ensureMetricStepIndex`), if it has one: charts read one metric's points
   *   through it.
   * @param metricRowsUnindexed set when that index is missing because `metrics` held more rows than
   *   the server indexes by itself at start-up (`mlflow db upgrade` adds it).
   */
  constructor(
    readonly revision: Revision,
    readonly metricStepIndex?: string,
    readonly metricRowsUnindexed?: number,
  ) {
    this.index = revisionIndex(revision);
  }

  /** Whether the database has everything `revision` brought. */
  atLeast(revision: Revision): boolean {
    return this.index >= revisionIndex(revision);
  }

  /** Throws 501 naming the revision a feature needs when the database is older. */
  require(revision: Revision, feature: string): void {
    if (this.atLeast(revision)) return;
    const release = RELEASE_OF[revision] ? ` (${RELEASE_OF[revision]})` : "";
    throw new MlflowError(
      "NOT_IMPLEMENTED",
      `${feature} need database revision ${revision}${release} or newer; this database is at ${describeRevision(this.revision)}. Take a backup and run 'mlflow db upgrade <uri>' to add them.`,
    );
  }

  /** Run tag values the database holds: 5000 characters before f5a4f2784254 (MLflow 2.17), 8000 since. */
  get runTagValueLimit(): number {
    return this.atLeast("f5a4f2784254") ? 8000 : 5000;
  }

  /** Whether registry rows carry a `workspace` (MLflow 3.10+), part of their keys. */
  get hasWorkspaces(): boolean {
    return this.atLeast("1b5f0d9ad7c1");
  }
}
