import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET, createWorld, type World } from "./owner-and-intruder.js";

// GraphQL carries its IDs inside a document. Its resolvers read through the caller's stores, so
// each field is decided as its REST twin, on the arguments GraphQL itself coerced: a refused field
// is null with MLflow's GraphQL error ("Permission denied"), a search shows only what the caller
// may read, and aliases and fragments change nothing.

describe("GraphQL under basic-auth", () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld("READ default, explicit NO_PERMISSIONS");
  }, 60_000);
  afterAll(async () => w?.server.close());
  const gql = (who: "owner" | "intruder", query: string, variables?: Record<string, unknown>) =>
    w.call(who, "POST", "/graphql", { body: { query, ...(variables ? { variables } : {}) } });

  it("answers the owner", async () => {
    const answer = await gql("owner", `{ mlflowGetExperiment(input: {experimentId: "${w.owner.experimentId}"}) { experiment { name } } }`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ data: { mlflowGetExperiment: { experiment: { name: `${SECRET}experiment` } } }, errors: null });
  });

  it("refuses fields naming what the caller may not read, however the ID is passed", async () => {
    const denied = [
      gql("intruder", `{ mlflowGetExperiment(input: {experimentId: "${w.owner.experimentId}"}) { experiment { name } } }`),
      gql("intruder", `query q($id: String) { mlflowGetExperiment(input: {experimentId: $id}) { experiment { name } } }`, { id: w.owner.experimentId }),
      gql("intruder", `{ mlflowGetRun(input: {runUuid: "${w.owner.runId}"}) { run { info { runName } } } }`),
      gql("intruder", `{ mlflowListArtifacts(input: {runId: "${w.owner.runId}"}) { files { path } } }`),
      gql("intruder", `{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["${w.owner.runId}"], metricKey: "${SECRET}metric"}) { metrics { value } } }`),
      gql("intruder", `{ mlflowSearchDatasets(input: {experimentIds: ["${w.owner.experimentId}"]}) { datasetSummaries { name } } }`),
      // Under an alias or in a fragment, the resolver is the same.
      gql("intruder", `{ x: mlflowGetRun(input: {runId: "${w.owner.runId}"}) { run { info { runName } } } }`),
      gql("intruder", `{ mlflowGetRun(input: {runId: "${w.owner.runId}"}) { run { ...f } } } fragment f on MlflowRunExtension { info { runName } }`),
    ];
    for (const answer of await Promise.all(denied)) {
      expect(answer.text).not.toContain(SECRET);
      expect(answer.status).toBe(200);
      expect(answer.json?.errors).toEqual(["Permission denied"]);
    }
  });

  it("shows a search only what the caller may read", async () => {
    const answer = await gql("intruder", `{ mlflowSearchRuns(input: {experimentIds: ["${w.intruder.experimentId}", "${w.owner.experimentId}"]}) { runs { info { runId } } } }`);
    expect(answer.text).not.toContain(SECRET);
    expect(answer.json?.errors).toBeNull();
    const runs = (answer.json?.data as { mlflowSearchRuns: { runs: { info: { runId: string } }[] } }).mlflowSearchRuns.runs.map((r) => r.info.runId);
    expect(runs).toEqual([w.intruder.runId]);
  });

  it("decides the mutation form of the UI's searches (MLflow 2.15+) as the query form", async () => {
    const denied = await gql("intruder", `mutation { mlflowSearchDatasets(input: {experimentIds: ["${w.owner.experimentId}"]}) { datasetSummaries { name } } }`);
    expect(denied.text).not.toContain(SECRET);
    expect(denied.json).toEqual({ data: { mlflowSearchDatasets: null }, errors: ["Permission denied"] });
    const search = await gql("intruder", `mutation { mlflowSearchRuns(input: {experimentIds: ["${w.intruder.experimentId}", "${w.owner.experimentId}"]}) { runs { info { runId } } } }`);
    expect(search.text).not.toContain(SECRET);
    expect(search.json?.errors).toBeNull();
    const runs = (search.json?.data as { mlflowSearchRuns: { runs: { info: { runId: string } }[] } }).mlflowSearchRuns.runs.map((r) => r.info.runId);
    expect(runs).toEqual([w.intruder.runId]);
  });

  it("answers aliases and fragments on the caller's own resources", async () => {
    const answers = await Promise.all([
      gql("intruder", `{ own: mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { info { runId } } } }`),
      gql("intruder", `{ mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { ...f } } } fragment f on MlflowRunExtension { info { runId } }`),
      gql("intruder", `{ mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { ... on MlflowRunExtension { info { runId } } } } }`),
    ]);
    for (const answer of answers) {
      expect(answer.json?.errors).toBeNull();
      expect(answer.text).toContain(w.intruder.runId);
    }
  });

  it("answers the intruder about their own resources, without the owner's model versions", async () => {
    const own = await gql("intruder", `{ mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { info { runId } experiment { name } modelVersions { name } } } }`);
    expect(own.status).toBe(200);
    expect(own.json?.errors).toBeNull();
    const search = await gql("intruder", `{ mlflowSearchModelVersions(input: {}) { modelVersions { name description } } }`);
    expect(search.status).toBe(200);
    expect(search.text).not.toContain(SECRET);
    const names = ((search.json?.data as { mlflowSearchModelVersions: { modelVersions: { name: string }[] } }).mlflowSearchModelVersions.modelVersions ?? []).map((v) => v.name);
    expect(names).toContain(w.intruder.model);
    expect(names).not.toContain(w.owner.model);
  });
});
