import type { ScorerVersion } from "@mlflow-ts/protocol";
import type { TrackingContext } from "../tracking/context.js";
import * as scorers from "./scorers.js";

/**
 * MLflow 3's registered scorers on SQL (`scorers`, `scorer_versions`): every call on a database
 * older than 534353b11cbc (MLflow 3.4.0) answers 501 naming it.
 *
 * @example
 * const store = new SqlScorerStore(ctx);
 * await store.registerScorer("1", "relevance", serialized);
 */
export class SqlScorerStore {
  constructor(private readonly ctx: TrackingContext) {}

  private need(): void {
    this.ctx.schema.require("534353b11cbc", "Scorers");
  }

  registerScorer(experimentId: string, name: string, serializedScorer: string): Promise<ScorerVersion> {
    this.need();
    return scorers.registerScorer(this.ctx, experimentId, name, serializedScorer);
  }
  listScorers(experimentId: string): Promise<ScorerVersion[]> {
    this.need();
    return scorers.listScorers(this.ctx, experimentId);
  }
  listScorerVersions(experimentId: string, name: string): Promise<ScorerVersion[]> {
    this.need();
    return scorers.listScorerVersions(this.ctx, experimentId, name);
  }
  getScorer(experimentId: string, name: string, version?: number): Promise<ScorerVersion> {
    this.need();
    return scorers.getScorer(this.ctx, experimentId, name, version);
  }
  deleteScorer(experimentId: string, name: string, version?: number): Promise<void> {
    this.need();
    return scorers.deleteScorer(this.ctx, experimentId, name, version);
  }
}
