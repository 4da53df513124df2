import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startTestServer, type TestServer } from "../../../test/support/test-server.js";

// MLflow 3's bounds on a GraphQL document, checked before anything runs: at most 10 root fields and
// 10 aliases in one selection set (MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS / _MAX_ALIASES), depth 10,
// 1,000 selections; fragments count where they are used. Answers are MLflow's: HTTP 200, no data,
// one error naming the limit.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const gql = async (query: string) => (await postJson(server, "/graphql", { query })).body as { data: unknown; errors: string[] | null };
const fields = (n: number, alias = "a") => Array.from({ length: n }, (_, i) => `${alias}${i}: test(inputString: "x") { output }`).join(" ");

describe("GraphQL document bounds", () => {
  it("runs 10 root fields and refuses 11, in MLflow's words", async () => {
    expect((await gql(`{ ${fields(10)} }`)).errors).toBeNull();
    const refused = await gql(`{ ${fields(11)} }`);
    expect(refused).toEqual({
      data: null,
      errors: ["GraphQL queries should have at most 10 root fields, got 11 root fields. To increase the limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable."],
    });
  });

  it("counts aliases of one level across the fragments used there", async () => {
    const spread = `{ test(inputString: "x") { ...f ...g } } fragment f on Test { ${Array.from({ length: 6 }, (_, i) => `f${i}: output`).join(" ")} } fragment g on Test { ${Array.from({ length: 6 }, (_, i) => `g${i}: output`).join(" ")} }`;
    const refused = await gql(spread);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]).toMatch(/at most 10 aliases, got 12 aliases/);
  });

  it("refuses a document nested deeper than 10 and one with over 1,000 selections", async () => {
    const nest = (levels: readonly string[]) => `{ ${levels.map((l) => `${l} {`).join(" ")} name ${"}".repeat(levels.length)} }`;
    const path = (ofTypes: number) => ["__schema", "types", "fields", "type", ...Array.from({ length: ofTypes }, () => "ofType")];
    expect((await gql(nest(path(5)))).errors).toBeNull(); // 9 selection sets + the root's
    expect((await gql(nest(path(7)))).errors).toEqual(["Query exceeds maximum depth of 10"]);
    const wide = `{ test(inputString: "x") { ${Array.from({ length: 1001 }, () => "output").join(" ")} } }`;
    expect((await gql(wide)).errors).toEqual(["Query exceeds maximum total selections of 1000"]);
  });
});
