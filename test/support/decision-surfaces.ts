/** A raw answer: status, body text, and the body as JSON when it is JSON. */
export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** Sends one request as some caller: method, path, and a query string or a JSON body. */
export type CallAs = (method: string, path: string, send?: { query?: Record<string, string>; body?: unknown }) => Promise<RawAnswer>;

/** An experiment with one run whose artifact directory holds at least one file. */
export interface Target {
  readonly experimentId: string;
  readonly runId: string;
  /** The run's artifact directory below the proxied root (its artifact_uri without `mlflow-artifacts:/`). */
  readonly artifactDir: string;
}

/**
 * What one surface showed a caller about a target: `true` (the data), `false` (refused, or left
 * out of a search), or `"odd"` (anything else: a 5xx, an unexpected status), with the evidence.
 */
export interface Seen {
  readonly surface: string;
  readonly visible: boolean | "odd";
  readonly evidence: string;
}

const short = (a: RawAnswer) => `${a.status} ${a.text.slice(0, 160)}`;

function graphqlData(a: RawAnswer): Record<string, unknown> | undefined {
  if (a.status !== 200) return undefined;
  return (a.json?.data as Record<string, unknown> | null | undefined) ?? undefined;
}

/**
 * Asks every surface that reads an experiment whether the caller may see a target: REST
 * experiments/get, experiments/search, runs/get, runs/search, GraphQL mlflowGetRun,
 * mlflowSearchRuns (with a list, and with the list spelled as one string) and mlflowListArtifacts,
 * and the artifact proxy's listing of the run's directory.
 * One authorization decision means they all say the same.
 *
 * @example
 * const seen = await observeDecisions(callAsBob, { experimentId: "3", runId, artifactDir: `3/${runId}/artifacts` });
 */
export async function observeDecisions(call: CallAs, t: Target): Promise<Seen[]> {
  const seen: Seen[] = [];
  const add = (surface: string, answer: RawAnswer, visible: boolean | "odd") => seen.push({ surface, visible, evidence: short(answer) });
  const refusedOr = (a: RawAnswer, yes: boolean): boolean | "odd" => (a.status === 403 ? false : a.status === 200 ? yes : "odd");

  const [get, search, run, runs, gqlRun, gqlRuns, gqlScalar, gqlFiles, listing] = await Promise.all([
    call("GET", "/api/2.0/mlflow/experiments/get", { query: { experiment_id: t.experimentId } }),
    call("POST", "/api/2.0/mlflow/experiments/search", { body: { max_results: 1000 } }),
    call("GET", "/api/2.0/mlflow/runs/get", { query: { run_id: t.runId } }),
    call("POST", "/api/2.0/mlflow/runs/search", { body: { experiment_ids: [t.experimentId] } }),
    call("POST", "/graphql", { body: { query: `{ mlflowGetRun(input:{runId:"${t.runId}"}){ run { info { runId } } } }` } }),
    call("POST", "/graphql", { body: { query: `{ mlflowSearchRuns(input:{experimentIds:["${t.experimentId}"]}){ runs { info { runId } } } }` } }),
    // The same question with the list spelled as one string (GraphQL coerces it to a list).
    call("POST", "/graphql", { body: { query: `{ mlflowSearchRuns(input:{experimentIds:"${t.experimentId}"}){ runs { info { runId } } } }` } }),
    call("POST", "/graphql", { body: { query: `{ mlflowListArtifacts(input:{runId:"${t.runId}"}){ files { path } } }` } }),
    call("GET", "/api/2.0/mlflow-artifacts/artifacts", { query: { path: t.artifactDir } }),
  ]);
  add("REST experiments/get", get, refusedOr(get, true));
  const listed = ((search.json?.experiments as { experiment_id: string }[] | undefined) ?? []).some((e) => e.experiment_id === t.experimentId);
  add("REST experiments/search", search, search.status === 200 ? listed : "odd");
  add("REST runs/get", run, refusedOr(run, true));
  const found = ((runs.json?.runs as { info: { run_id: string } }[] | undefined) ?? []).some((r) => r.info.run_id === t.runId);
  add("REST runs/search", runs, refusedOr(runs, found));
  const oneRun = (graphqlData(gqlRun)?.mlflowGetRun as { run?: { info?: { runId?: string } } } | null | undefined)?.run?.info?.runId === t.runId;
  add("GraphQL mlflowGetRun", gqlRun, gqlRun.status === 403 || gqlRun.status === 200 ? oneRun : "odd");
  const manyRuns = ((graphqlData(gqlRuns)?.mlflowSearchRuns as { runs?: { info: { runId: string } }[] | null } | null | undefined)?.runs ?? []).some((r) => r.info.runId === t.runId);
  add("GraphQL mlflowSearchRuns", gqlRuns, gqlRuns.status === 403 || gqlRuns.status === 200 ? manyRuns : "odd");
  const scalarRuns = ((graphqlData(gqlScalar)?.mlflowSearchRuns as { runs?: { info: { runId: string } }[] | null } | null | undefined)?.runs ?? []).some((r) => r.info.runId === t.runId);
  add("GraphQL mlflowSearchRuns, experimentIds as a scalar", gqlScalar, gqlScalar.status === 403 || gqlScalar.status === 200 ? scalarRuns : "odd");
  const files = ((graphqlData(gqlFiles)?.mlflowListArtifacts as { files?: unknown[] | null } | null | undefined)?.files ?? []).length > 0;
  add("GraphQL mlflowListArtifacts", gqlFiles, gqlFiles.status === 403 || gqlFiles.status === 200 ? files : "odd");
  const entries = ((listing.json?.files as unknown[] | undefined) ?? []).length > 0;
  add("artifact proxy listing", listing, refusedOr(listing, entries));
  return seen;
}

/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same scenario, so a failure
 * names a seed that reproduces it.
 *
 * @example
 * const random = seededRandom(19); random(); // 0 <= x < 1
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One line per disagreement: who, what, the decision expected, and what each surface showed. */
export function describeDisagreement(who: string, target: string, expected: boolean, seen: readonly Seen[]): string | undefined {
  if (seen.every((s) => s.visible === expected)) return undefined;
  const shown = seen.map((s) => `    ${s.visible === expected ? "ok  " : "DIFF"} ${s.surface}: ${s.visible} (${s.evidence})`).join("\n");
  return `${who} on ${target}: expected ${expected ? "visible" : "hidden"}\n${shown}`;
}
