import fs from "node:fs";
import { buildSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../../test/support/backends.js";
import { INTRUDER_PASSWORD, OWNER_PASSWORD, SECRET, createWorld, type Answer, type Send, type World } from "./owner-and-intruder.js";

// The GraphQL half of issue 19's proof, field by field. Every Query field the served schema has
// (its SDL in packages/server/src/routes/graphql-schema.ts, read back by introspection) needs a case
// below, every Mutation field that reads data is one of those (MLflow 2.15+ moved the UI's searches
// to Mutation) and is proven again in the mutation form, and every field of its input object is either an ID-bearing argument with cases or named
// with the reason it carries no ID — or the first test fails. For each ID-bearing argument the
// intruder sends the owner's value and, as a positive control, their own, in every spelling
// GraphQL has for an argument: a literal (a list; a scalar coerced to a list), a variable (and a
// scalar variable for a list), a variable's default, the whole input as a variable and as an
// input-object variable's default, inside a named and an inline fragment, under an alias, under
// @include, in the operation picked by operationName, and as two aliases — one on the intruder's
// own resource, one on the owner's — in one document; each over POST (JSON body) and GET
// (`query=`, `variables=`, `operationName=` in the URL).
//
// Every answer: HTTP 200 (MLflow's GraphQL status), none of the owner's data (SECRET, the owner's
// run, logged model or model name, the owner's metric value), and on the owner's value the
// argument's outcome — "Permission denied" with the field null, a search silently filtered, an
// invalid argument, or an argument the resolver ignores for another. On the intruder's own value
// (and on the own alias of a mixed document) the field returns the intruder's data.

const MODES: World["mode"][] = ["NO_PERMISSIONS default", "READ default, explicit NO_PERMISSIONS"];

/** A metric both users log under the same key; the owner's value must never show. */
const SHARED_METRIC = "shared-metric";
const OWNER_METRIC_VALUE = 190019.25;

type Value = string | readonly string[];

/** What the field does with the owner's value in this argument. */
type Outcome =
  /** `errors: ["Permission denied"]`, the field null. */
  | "denied"
  /** A search: no errors, only what the intruder may read. */
  | "filtered"
  /** The argument is refused as invalid: an error, the field null. */
  | "invalid"
  /** The resolver acts on another argument (the intruder's own): their data, no errors. */
  | "ignored";

/** An ID-bearing argument of a field's input object: the owner's value and the intruder's own. */
interface IdArg {
  /** What the case is, for the report (defaults to the argument's name). */
  readonly label?: string;
  /** The input-object field carrying the ID. */
  readonly arg: string;
  readonly list?: boolean;
  readonly owner: (w: World) => Value;
  readonly own: (w: World) => Value;
  /** Other input fields sent alongside, always the intruder's own. */
  readonly with?: (w: World) => Record<string, Value>;
  readonly outcome: Outcome;
}

interface FieldCase {
  /** The input-object type of the field's `input` argument. */
  readonly input: string;
  /** Input fields that name nothing of anyone's, and why. */
  readonly notIds: Record<string, string>;
  /** Input fields every request carries (not IDs). */
  readonly base?: (w: World) => Record<string, Value>;
  readonly ids: readonly IdArg[];
  /** What is asked for: everything of the owner's that could leak. */
  readonly selection: string;
  /** Whether a field's value holds the intruder's own resource (the positive control). */
  readonly mine: (value: unknown, w: World) => boolean;
}

const runSelection =
  "info { runId runUuid runName experimentId userId artifactUri } data { params { key value } tags { key value } metrics { key value } } " +
  "inputs { datasetInputs { dataset { name digest source } } } experiment { experimentId name artifactLocation tags { key value } } " +
  "modelVersions { name version description runId source tags { key value } }";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** The intruder's own run, with its own experiment and only its own model versions. */
function isOwnRun(run: unknown, w: World): boolean {
  const r = obj(run);
  const versions = list(r.modelVersions).map((v) => v.name);
  return (
    obj(r.info).runId === w.intruder.runId &&
    obj(r.experiment).experimentId === w.intruder.experimentId &&
    versions.includes(w.intruder.model) &&
    versions.every((n) => n === w.intruder.model)
  );
}

const ownExperiment = (w: World) => w.intruder.experimentId;
const ownerExperiment = (w: World) => w.owner.experimentId;
const ownRun = (w: World) => w.intruder.runId;
const ownerRun = (w: World) => w.owner.runId;

/** The Query fields of MLflow's GraphQL schema, each with its ID-bearing arguments. */
const CASES: Record<string, FieldCase | { readonly noIds: string; readonly args: readonly string[] }> = {
  mlflowGetExperiment: {
    input: "MlflowGetExperimentInput",
    notIds: {},
    ids: [{ arg: "experimentId", owner: ownerExperiment, own: ownExperiment, outcome: "denied" }],
    selection: "experiment { experimentId name artifactLocation lifecycleStage tags { key value } }",
    mine: (v, w) => obj(obj(v).experiment).experimentId === w.intruder.experimentId,
  },
  mlflowGetRun: {
    input: "MlflowGetRunInput",
    notIds: {},
    ids: [
      { arg: "runId", owner: ownerRun, own: ownRun, outcome: "denied" },
      { arg: "runUuid", owner: ownerRun, own: ownRun, outcome: "denied" },
      { label: "runId, with runUuid the intruder's own", arg: "runId", owner: ownerRun, own: ownRun, with: (w) => ({ runUuid: w.intruder.runId }), outcome: "denied" },
      { label: "runUuid, with runId the intruder's own", arg: "runUuid", owner: ownerRun, own: ownRun, with: (w) => ({ runId: w.intruder.runId }), outcome: "ignored" },
      { label: "runUuid, with runId empty", arg: "runUuid", owner: ownerRun, own: ownRun, with: () => ({ runId: "" }), outcome: "denied" },
    ],
    selection: `run { ${runSelection} }`,
    mine: (v, w) => isOwnRun(obj(v).run, w),
  },
  mlflowSearchModelVersions: {
    input: "MlflowSearchModelVersionsInput",
    notIds: { maxResults: "a page size", orderBy: "a sort order", pageToken: "an offset into the caller's own results" },
    ids: [
      { label: "filter by the owner's model name", arg: "filter", owner: (w) => `name = '${w.owner.model}'`, own: (w) => `name = '${w.intruder.model}'`, outcome: "filtered" },
      // The owner's model has a version on the intruder's run too (planted by the admin).
      { label: "filter by run", arg: "filter", owner: (w) => `run_id = '${w.owner.runId}'`, own: (w) => `run_id = '${w.intruder.runId}'`, outcome: "filtered" },
      { label: "filter matching every name", arg: "filter", owner: () => "name LIKE '%model%'", own: (w) => `name = '${w.intruder.model}'`, outcome: "filtered" },
    ],
    selection: "modelVersions { name version description runId source userId tags { key value } aliases } nextPageToken",
    mine: (v, w) => {
      const names = list(obj(v).modelVersions).map((m) => m.name);
      return names.includes(w.intruder.model) && names.every((n) => n === w.intruder.model);
    },
  },
  mlflowSearchRuns: {
    input: "MlflowSearchRunsInput",
    notIds: {
      runViewType: "active, deleted or all",
      maxResults: "a page size",
      orderBy: "a sort order",
      pageToken: "an offset into the caller's own results",
    },
    ids: [
      { arg: "experimentIds", list: true, owner: (w) => [w.owner.experimentId], own: (w) => [w.intruder.experimentId], outcome: "filtered" },
      {
        label: "filter naming the owner's run, both experiments listed",
        arg: "filter",
        owner: (w) => `attributes.run_id = '${w.owner.runId}'`,
        own: (w) => `attributes.run_id = '${w.intruder.runId}'`,
        with: (w) => ({ experimentIds: [w.intruder.experimentId, w.owner.experimentId] }),
        outcome: "filtered",
      },
    ],
    selection: `runs { ${runSelection} } nextPageToken`,
    mine: (v, w) => {
      const runs = list(obj(v).runs);
      return runs.length === 1 && isOwnRun(runs[0], w);
    },
  },
  mlflowListArtifacts: {
    input: "MlflowListArtifactsInput",
    notIds: { pageToken: "an offset into the listing" },
    ids: [
      { arg: "runId", owner: ownerRun, own: ownRun, outcome: "denied" },
      { arg: "runUuid", owner: ownerRun, own: ownRun, outcome: "denied" },
      { label: "runId, with runUuid the intruder's own", arg: "runId", owner: ownerRun, own: ownRun, with: (w) => ({ runUuid: w.intruder.runId }), outcome: "denied" },
      { label: "runUuid, with runId the intruder's own", arg: "runUuid", owner: ownerRun, own: ownRun, with: (w) => ({ runId: w.intruder.runId }), outcome: "ignored" },
      { label: "runUuid, with runId empty", arg: "runUuid", owner: ownerRun, own: ownRun, with: () => ({ runId: "" }), outcome: "denied" },
      {
        label: "path climbing from the intruder's run into the owner's",
        arg: "path",
        owner: (w) => `../../../${w.owner.experimentId}/${w.owner.runId}/artifacts`,
        own: () => "",
        with: (w) => ({ runId: w.intruder.runId }),
        outcome: "invalid",
      },
    ],
    selection: "rootUri files { path isDir fileSize } nextPageToken",
    mine: (v, w) => String(obj(v).rootUri).includes(w.intruder.runId) && list(obj(v).files).some((f) => f.path === "mine.txt"),
  },
  mlflowGetMetricHistoryBulkInterval: {
    input: "MlflowGetMetricHistoryBulkIntervalInput",
    notIds: { metricKey: "a metric's key", startStep: "a step", endStep: "a step", maxResults: "a page size" },
    base: () => ({ metricKey: SHARED_METRIC }),
    ids: [{ arg: "runIds", list: true, owner: (w) => [w.owner.runId], own: (w) => [w.intruder.runId], outcome: "denied" }],
    selection: "metrics { key value step timestamp runId }",
    mine: (v, w) => {
      const metrics = list(obj(v).metrics);
      return metrics.length > 0 && metrics.every((m) => m.runId === w.intruder.runId);
    },
  },
  mlflowSearchDatasets: {
    input: "MlflowSearchDatasetsInput",
    notIds: {},
    ids: [{ arg: "experimentIds", list: true, owner: (w) => [w.owner.experimentId], own: (w) => [w.intruder.experimentId], outcome: "denied" }],
    selection: "datasetSummaries { experimentId name digest context }",
    mine: (v, w) => {
      const found = list(obj(v).datasetSummaries);
      return found.some((d) => d.name === "intruder-dataset") && found.every((d) => d.experimentId === w.intruder.experimentId);
    },
  },
  test: { noIds: "echoes its argument; reads no store", args: ["inputString"] },
};

/** The Query fields MLflow 2.15+ also serves as Mutation fields (the UI's searches), with the same cases. */
const MUTATION_FIELDS = ["mlflowSearchRuns", "mlflowSearchDatasets"] as const;

/** A GraphQL literal for a value: strings, lists of strings, input objects. */
function lit(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(lit).join(", ")}]`;
  if (typeof value === "object" && value !== null) return `{${Object.entries(value).map(([k, v]) => `${k}: ${lit(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

/** Where the field shows up in the answer, and whether it carries the value under test or the intruder's own. */
interface Occurrence {
  readonly key: string;
  readonly carries: "value" | "own" | "own and value";
}

/** One document: a spelling of one argument's value. */
interface Spelling {
  readonly name: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  readonly occurrences: readonly Occurrence[];
}

/**
 * Every spelling of `value` in argument `id.arg` of `field`; `own` is the intruder's own value of
 * the same argument, for the documents that mix the two.
 */
function spellings(field: string, c: FieldCase, id: IdArg, value: Value, own: Value, w: World, op: "query" | "mutation" = "query"): Spelling[] {
  // The operation keyword, the root type fragments are on, and the anonymous form of a document.
  const root = op === "query" ? "Query" : "Mutation";
  const anon = (body: string) => (op === "query" ? `{ ${body} }` : `mutation { ${body} }`);
  const others = { ...(c.base?.(w) ?? {}), ...(id.with?.(w) ?? {}) };
  const input = (v: unknown) => ({ ...others, [id.arg]: v });
  const inputLit = (v: unknown) => lit(input(v));
  const othersLit = Object.entries(others).map(([k, v]) => `, ${k}: ${lit(v)}`).join("");
  const type = id.list ? "[String]" : "String";
  const sel = `{ ${c.selection} }`;
  const call = (v: unknown) => `${field}(input: ${inputLit(v)}) ${sel}`;
  const one = (key = field): Occurrence[] => [{ key, carries: "value" }];
  const out: Spelling[] = [
    { name: "literal", query: anon(call(value)), occurrences: one() },
    { name: "variable", query: `${op} Q($v: ${type}) { ${field}(input: {${id.arg}: $v${othersLit}}) ${sel} }`, variables: { v: value }, occurrences: one() },
    { name: "variable's default", query: `${op} Q($v: ${type} = ${lit(value)}) { ${field}(input: {${id.arg}: $v${othersLit}}) ${sel} }`, occurrences: one() },
    { name: "input-object variable", query: `${op} Q($in: ${c.input}) { ${field}(input: $in) ${sel} }`, variables: { in: input(value) }, occurrences: one() },
    { name: "input-object variable's default", query: `${op} Q($in: ${c.input} = ${inputLit(value)}) { ${field}(input: $in) ${sel} }`, occurrences: one() },
    { name: "named fragment", query: `${anon("...Frag")} fragment Frag on ${root} { ${call(value)} }`, occurrences: one() },
    { name: "inline fragment", query: anon(`... on ${root} { ${call(value)} }`), occurrences: one() },
    { name: "alias", query: anon(`theirs: ${call(value)}`), occurrences: one("theirs") },
    { name: "@include with a variable", query: `${op} Q($yes: Boolean = true) { ${field}(input: ${inputLit(value)}) @include(if: $yes) ${sel} }`, occurrences: one() },
    {
      name: "operationName picks it out of two operations",
      query: `${op} Mine { ${call(own)} } ${op} Theirs { ${call(value)} }`,
      operationName: "Theirs",
      occurrences: one(),
    },
    {
      name: "two aliases: own and this value",
      query: anon(`mine: ${call(own)} theirs: ${call(value)}`),
      occurrences: [
        { key: "mine", carries: "own" },
        { key: "theirs", carries: "value" },
      ],
    },
  ];
  if (id.list) {
    const scalar = (value as readonly string[])[0]!;
    out.push(
      { name: "literal scalar coerced to a list", query: anon(call(scalar)), occurrences: one() },
      { name: "list of own and this value", query: anon(call([...(own as readonly string[]), ...(value as readonly string[])])), occurrences: [{ key: field, carries: "own and value" }] },
      { name: "scalar variable for a list", query: `${op} Q($v: [String]) { ${field}(input: {${id.arg}: $v${othersLit}}) ${sel} }`, variables: { v: scalar }, occurrences: one() },
      { name: "variable's scalar default for a list", query: `${op} Q($v: [String] = ${lit(scalar)}) { ${field}(input: {${id.arg}: $v${othersLit}}) ${sel} }`, occurrences: one() },
      { name: "input-object variable with a scalar for the list", query: `${op} Q($in: ${c.input}) { ${field}(input: $in) ${sel} }`, variables: { in: input(scalar) }, occurrences: one() },
      { name: "input-object variable's default with a scalar for the list", query: `${op} Q($in: ${c.input} = ${inputLit(scalar)}) { ${field}(input: $in) ${sel} }`, occurrences: one() },
    );
  }
  return out;
}

/** The request a spelling makes over a transport. */
function sendOf(how: "POST" | "GET", s: Spelling): Send {
  if (how === "POST") return { body: { query: s.query, ...(s.variables ? { variables: s.variables } : {}), ...(s.operationName ? { operationName: s.operationName } : {}) } };
  return { query: { query: s.query, ...(s.variables ? { variables: JSON.stringify(s.variables) } : {}), ...(s.operationName ? { operationName: s.operationName } : {}) } };
}

/** How the request and its answer read in a failure. */
function described(how: string, s: Spelling, answer: Answer): string {
  return `${how} /graphql query=${s.query}${s.variables ? ` variables=${JSON.stringify(s.variables)}` : ""}${s.operationName ? ` operationName=${s.operationName}` : ""}\n      → HTTP ${answer.status}: ${answer.text.slice(0, 500)}`;
}

/** The owner's things that must never be in an answer's data (SECRET is checked on the whole text). */
function ownerMarks(w: World): string[] {
  return [w.owner.runId, w.owner.loggedModelId, JSON.stringify(w.owner.model), String(OWNER_METRIC_VALUE)];
}

/** What is wrong with one answer, or nothing. */
function problemsOf(answer: Answer, s: Spelling, c: FieldCase, id: IdArg, ownersValue: boolean, w: World): string[] {
  const problems: string[] = [];
  if (answer.text.includes(SECRET)) problems.push("the answer holds the owner's data (SECRET)");
  if (answer.status !== 200) problems.push(`HTTP ${answer.status}, not MLflow's 200`);
  if (answer.status >= 500) problems.push("a 5xx on client input");
  const data = obj(answer.json?.data);
  const errors = answer.json?.errors;
  const dataText = JSON.stringify(answer.json?.data ?? null);
  for (const mark of ownerMarks(w)) if (dataText.includes(mark)) problems.push(`the data holds the owner's ${mark}`);
  const fine = (o: Occurrence) => o.carries === "own" || !ownersValue;
  for (const o of s.occurrences) {
    const value = data[o.key];
    if (fine(o)) {
      if (!c.mine(value, w)) problems.push(`'${o.key}' does not hold the intruder's own resource`);
      continue;
    }
    const errorList = Array.isArray(errors) ? (errors as unknown[]) : [];
    switch (id.outcome) {
      case "denied":
        if (value !== null) problems.push(`'${o.key}' is not null`);
        if (!errorList.includes("Permission denied")) problems.push(`no "Permission denied" error`);
        break;
      case "invalid":
        if (value !== null) problems.push(`'${o.key}' is not null`);
        if (errorList.length === 0) problems.push("no error");
        break;
      case "filtered":
        if (value === null || value === undefined) problems.push(`'${o.key}' is null: a search shows what the caller may read, it does not fail`);
        if (o.carries === "own and value" && !c.mine(value, w)) problems.push(`'${o.key}' does not hold the intruder's own resource`);
        break;
      case "ignored":
        if (!c.mine(value, w)) problems.push(`'${o.key}' does not hold the intruder's own resource`);
        break;
    }
  }
  if (s.occurrences.every((o) => fine(o) || id.outcome === "filtered" || id.outcome === "ignored") && errors !== null) {
    problems.push(`unexpected errors: ${JSON.stringify(errors)}`);
  }
  return problems;
}

/** The SDL the server builds its schema from, as written in its source. */
function sdlFields(): { query: string[]; mutation: string[] } {
  const source = fs.readFileSync(new URL("../../server/src/routes/graphql-schema.ts", import.meta.url), "utf8");
  const sdl = /const SDL = `([\s\S]*?)`;/.exec(source)?.[1];
  if (!sdl) throw new Error("graphql-schema.ts no longer has its SDL in `const SDL = `…``: point this test at where the schema is written");
  const schema = buildSchema(sdl);
  return { query: Object.keys(schema.getQueryType()?.getFields() ?? {}), mutation: Object.keys(schema.getMutationType()?.getFields() ?? {}) };
}

const INTROSPECTION = `{
  __schema {
    mutationType { fields { name } }
    queryType { fields { name args { name type { kind name } } } }
    types { name kind inputFields { name type { kind name ofType { kind name } } } }
  }
}`;

interface Introspected {
  readonly mutations: string[];
  readonly fields: { name: string; args: { name: string; type: { kind: string; name: string | null } }[] }[];
  readonly inputs: Map<string, { name: string; list: boolean }[]>;
}

async function introspect(w: World): Promise<Introspected> {
  const answer = await w.call("intruder", "POST", "/graphql", { body: { query: INTROSPECTION } });
  expect(answer.status, answer.text.slice(0, 300)).toBe(200);
  const schema = obj(obj(answer.json?.data).__schema);
  const inputs = new Map<string, { name: string; list: boolean }[]>();
  for (const t of list(schema.types)) {
    if (t.kind !== "INPUT_OBJECT") continue;
    inputs.set(
      String(t.name),
      list(t.inputFields).map((f) => ({ name: String(f.name), list: obj(f.type).kind === "LIST" || obj(obj(f.type).ofType).kind === "LIST" })),
    );
  }
  return {
    mutations: list(obj(schema.mutationType).fields).map((f) => String(f.name)),
    fields: list(obj(schema.queryType).fields) as unknown as Introspected["fields"],
    inputs,
  };
}

/** Runs the calls twenty at a time. */
async function inChunks<T>(calls: readonly (() => Promise<T>)[], size = 20): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < calls.length; i += size) out.push(...(await Promise.all(calls.slice(i, i + size).map((f) => f()))));
  return out;
}

for (const { dialect, skip } of DIALECTS) {
  for (const mode of MODES) {
    describe.skipIf(skip)(`GraphQL field by field: IDs in every spelling (${dialect}, ${mode})`, () => {
      let w: World;
      beforeAll(async () => {
        w = await createWorld(mode, dialect);
        const owner = w.server.as("owner", OWNER_PASSWORD);
        const intruder = w.server.as("intruder", INTRUDER_PASSWORD);
        const context = [{ key: "mlflow.data.context", value: "training" }];
        await owner.logInputs(w.owner.runId, [{ dataset: { name: `${SECRET}dataset`, digest: "d19", source_type: "local", source: `{"uri": "${SECRET}source"}` }, tags: context }]);
        await intruder.logInputs(w.intruder.runId, [{ dataset: { name: "intruder-dataset", digest: "i19", source_type: "local", source: "{}" }, tags: context }]);
        await owner.logMetric(w.owner.runId, SHARED_METRIC, OWNER_METRIC_VALUE, { step: 0 });
        await intruder.logMetric(w.intruder.runId, SHARED_METRIC, 7, { step: 0 });
        // A version of the owner's model on the intruder's own run: what the run's nested
        // `modelVersions` (and a search by run) must not show the intruder.
        await w.server.adminTracking.registry.createModelVersion(w.owner.model, `runs:/${w.intruder.runId}/model`, {
          runId: w.intruder.runId,
          description: `${SECRET}version-on-intruder-run`,
        });
      }, 60_000);
      afterAll(async () => w?.server.close());

      it("has cases for every Query field of the schema and every field of its input", async () => {
        const schema = await introspect(w);
        const written = sdlFields();
        expect(schema.fields.map((f) => f.name).sort(), "the served schema's Query fields are the SDL's in graphql-schema.ts").toEqual([...written.query].sort());
        expect(schema.fields.map((f) => f.name).sort(), "Query fields without a case here (or cases for fields that are gone)").toEqual(Object.keys(CASES).sort());
        // A Mutation field is a Query field served a second way (one resolver), proven again below
        // in the mutation form, or the echo. A new one needs cases.
        expect([...schema.mutations].sort(), "Mutation fields").toEqual([...MUTATION_FIELDS, "testMutation"].sort());
        expect([...written.mutation].sort(), "Mutation fields in the SDL").toEqual([...MUTATION_FIELDS, "testMutation"].sort());
        for (const name of MUTATION_FIELDS) expect(schema.fields.map((f) => f.name), `${name} has its Query twin and its cases`).toContain(name);
        const gaps: string[] = [];
        for (const field of schema.fields) {
          const c = CASES[field.name]!;
          if ("noIds" in c) {
            const args = field.args.map((a) => a.name).sort();
            if (JSON.stringify(args) !== JSON.stringify([...c.args].sort())) gaps.push(`${field.name}: arguments ${args.join(", ")}; the case knows ${c.args.join(", ")}`);
            continue;
          }
          const arg = field.args.find((a) => a.name === "input");
          if (field.args.length !== 1 || arg?.type.name !== c.input) {
            gaps.push(`${field.name}: arguments ${JSON.stringify(field.args)}; the case expects one, input: ${c.input}`);
            continue;
          }
          const inputFields = schema.inputs.get(c.input) ?? [];
          const covered = new Set([...c.ids.map((i) => i.arg), ...Object.keys(c.notIds), ...Object.keys(c.base?.({} as World) ?? {})]);
          for (const f of inputFields) if (!covered.has(f.name)) gaps.push(`${field.name}: input field ${c.input}.${f.name} has no case and no reason`);
          for (const id of c.ids) {
            const f = inputFields.find((x) => x.name === id.arg);
            if (!f) gaps.push(`${field.name}: ${c.input}.${id.arg} is gone`);
            else if (f.list !== Boolean(id.list)) gaps.push(`${field.name}: ${c.input}.${id.arg} is ${f.list ? "" : "not "}a list`);
          }
        }
        expect(gaps).toEqual([]);
      });

      it("never shows the owner's data, and shows the intruder's own, in any spelling over POST and GET", async () => {
        const calls: (() => Promise<string[]>)[] = [];
        let cases = 0;
        for (const [field, c] of Object.entries(CASES)) {
          if ("noIds" in c) continue;
          const ops = (MUTATION_FIELDS as readonly string[]).includes(field) ? (["query", "mutation"] as const) : (["query"] as const);
          for (const op of ops) {
            for (const id of c.ids) {
              const owner = id.owner(w);
              const own = id.own(w);
              for (const [ownersValue, value] of [
                [true, owner],
                [false, own],
              ] as const) {
                for (const s of spellings(field, c, id, value, own, w, op)) {
                  for (const how of ["POST", "GET"] as const) {
                    cases += 1;
                    calls.push(async () => {
                      const answer = await w.call("intruder", how, "/graphql", sendOf(how, s));
                      const problems = problemsOf(answer, s, c, id, ownersValue, w);
                      const what = `${op} ${field} [${id.label ?? id.arg}, ${ownersValue ? "the owner's value" : "the intruder's own value"}, ${s.name}]`;
                      return problems.length === 0 ? [] : [`${what}: ${problems.join("; ")}\n      ${described(how, s, answer)}`];
                    });
                  }
                }
              }
            }
          }
        }
        const failures = (await inChunks(calls)).flat();
        console.log(`graphql-route-by-route (${dialect}, ${mode}): ${cases} requests, ${failures.length} failing`);
        expect(failures).toEqual([]);
      }, 120_000);

      it("the `test` and `testMutation` fields answer without reading any store", async () => {
        for (const how of ["POST", "GET"] as const) {
          const s: Spelling = { name: "literal", query: `{ test(inputString: "x") { output } }`, occurrences: [] };
          const answer = await w.call("intruder", how, "/graphql", sendOf(how, s));
          expect(answer.status, described(how, s, answer)).toBe(200);
          expect(answer.json, described(how, s, answer)).toEqual({ data: { test: { output: "x" } }, errors: null });
          const m: Spelling = { name: "literal", query: `mutation { testMutation(inputString: "x") { output } }`, occurrences: [] };
          const mutation = await w.call("intruder", how, "/graphql", sendOf(how, m));
          expect(mutation.json, described(how, m, mutation)).toEqual({ data: { testMutation: { output: "x" } }, errors: null });
        }
      });

      it("the intruder's own run: nested `experiment` and `modelVersions` show only the intruder's, in mlflowGetRun and mlflowSearchRuns (query and mutation)", async () => {
        const queries: [string, (d: Obj) => unknown][] = [
          [`{ mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { ${runSelection} } } }`, (d) => obj(obj(d.mlflowGetRun).run)],
          [`{ mlflowSearchRuns(input: {experimentIds: ["${w.intruder.experimentId}"]}) { runs { ${runSelection} } } }`, (d) => list(obj(d.mlflowSearchRuns).runs)[0]],
          [`mutation { mlflowSearchRuns(input: {experimentIds: ["${w.intruder.experimentId}"]}) { runs { ${runSelection} } } }`, (d) => list(obj(d.mlflowSearchRuns).runs)[0]],
          [
            `{ mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { ...R } } } fragment R on MlflowRunExtension { experiment { experimentId name } modelVersions { name description } info { runId } }`,
            (d) => obj(obj(d.mlflowGetRun).run),
          ],
        ];
        const failures: string[] = [];
        for (const [query, pick] of queries) {
          for (const how of ["POST", "GET"] as const) {
            const s: Spelling = { name: "nested", query, occurrences: [] };
            const answer = await w.call("intruder", how, "/graphql", sendOf(how, s));
            const problems: string[] = [];
            if (answer.text.includes(SECRET)) problems.push("the answer holds the owner's data (SECRET)");
            if (answer.status !== 200 || answer.json?.errors !== null) problems.push("not a clean 200");
            const dataText = JSON.stringify(answer.json?.data ?? null);
            for (const mark of ownerMarks(w)) if (dataText.includes(mark)) problems.push(`the data holds the owner's ${mark}`);
            const run = obj(pick(obj(answer.json?.data)));
            if (obj(run.experiment).experimentId !== w.intruder.experimentId) problems.push("the run's experiment is not the intruder's");
            const versions = list(run.modelVersions).map((v) => v.name);
            if (!versions.includes(w.intruder.model)) problems.push("the intruder's own model version is missing");
            if (versions.some((n) => n !== w.intruder.model)) problems.push(`model versions of others: ${JSON.stringify(versions)}`);
            if (problems.length > 0) failures.push(`${problems.join("; ")}\n      ${described(how, s, answer)}`);
          }
        }
        // The planted version is really there (the admin sees it): the check above is not vacuous.
        const admin = await w.call("admin", "POST", "/graphql", { body: { query: `{ mlflowGetRun(input: {runId: "${w.intruder.runId}"}) { run { modelVersions { name description } } } }` } });
        expect(admin.text, "the admin's view of the intruder's run").toContain(`${SECRET}version-on-intruder-run`);
        expect(failures).toEqual([]);
      });
    });
  }
}
