import { describe, expect, it } from "vitest";
import { parseFilter, parseOrderBy, decodePageToken, encodePageToken, parseDatabaseUri } from "@mlflow-ts/store";

describe("parseFilter", () => {
  it("parses comparisons joined by AND, keywords in any case", () => {
    expect(parseFilter("metrics.rmse < 0.8 and params.model = 'lr' AND tags.`mlflow.source.type` = 'LOCAL'")).toEqual([
      { entity: "metrics", key: "rmse", comparator: "<", value: 0.8, numeric: true },
      { entity: "params", key: "model", comparator: "=", value: "lr", numeric: false },
      { entity: "tags", key: "mlflow.source.type", comparator: "=", value: "LOCAL", numeric: false },
    ]);
  });
  it("keeps dots after the entity in the key, and reads quoted keys", () => {
    expect(parseFilter('metrics.a.b >= -1e-3 and metrics."model class" != 2')).toEqual([
      { entity: "metrics", key: "a.b", comparator: ">=", value: -0.001, numeric: true },
      { entity: "metrics", key: "model class", comparator: "!=", value: 2, numeric: true },
    ]);
  });
  it("reads IN and NOT IN lists, LIKE and ILIKE", () => {
    expect(parseFilter("run_id in ('a', 'b') and attributes.status not in ('FAILED') and name ilike '%x%'")).toEqual([
      { entity: undefined, key: "run_id", comparator: "IN", value: ["a", "b"], numeric: false },
      { entity: "attributes", key: "status", comparator: "NOT IN", value: ["FAILED"], numeric: false },
      { entity: undefined, key: "name", comparator: "ILIKE", value: "%x%", numeric: false },
    ]);
  });
  it("treats empty input as match-all", () => {
    expect(parseFilter("")).toEqual([]);
    expect(parseFilter("   ")).toEqual([]);
    expect(parseFilter(undefined)).toEqual([]);
  });
  it.each([
    "metrics.a > 1 or metrics.b > 2",
    "(metrics.a > 1)",
    "metrics.a >",
    "metrics.a > 1 and",
    "params.p = unquoted",
    "metrics.a 1",
    "run_id IN 'a'",
    "run_id IN (1, 2)",
    "name = 'unterminated",
    "metrics.a > 1 ; drop table runs",
    "NOT name = 'x'",
  ])("rejects %s with 400", (filter) => {
    expect(() => parseFilter(filter)).toThrowError(expect.objectContaining({ code: "INVALID_PARAMETER_VALUE", status: 400 }));
  });
});

describe("parseOrderBy", () => {
  it("reads direction, default ascending", () => {
    expect(parseOrderBy("metrics.`val loss` DESC")).toEqual({ entity: "metrics", key: "val loss", ascending: false });
    expect(parseOrderBy("start_time")).toEqual({ entity: undefined, key: "start_time", ascending: true });
  });
  it("rejects junk", () => {
    expect(() => parseOrderBy("a b c")).toThrow();
    expect(() => parseOrderBy("metrics.a sideways")).toThrow();
  });
});

describe("page tokens", () => {
  it("round-trip and reject garbage", () => {
    expect(decodePageToken(encodePageToken(1234))).toBe(1234);
    expect(decodePageToken(undefined)).toBe(0);
    expect(() => decodePageToken("not base64 json")).toThrowError(expect.objectContaining({ code: "INVALID_PARAMETER_VALUE" }));
    expect(() => decodePageToken(Buffer.from('{"offset":-1}').toString("base64"))).toThrow();
  });
});

describe("parseDatabaseUri", () => {
  it("reads SQLite and PostgreSQL URIs as SQLAlchemy writes them", () => {
    expect(parseDatabaseUri("sqlite:///mlflow.db", "/srv")).toEqual({ dialect: "sqlite", file: "/srv/mlflow.db" });
    expect(parseDatabaseUri("sqlite:////var/db/m.db", "/srv")).toEqual({ dialect: "sqlite", file: "/var/db/m.db" });
    expect(parseDatabaseUri("sqlite://", "/srv")).toEqual({ dialect: "sqlite", file: ":memory:" });
    expect(parseDatabaseUri("postgresql+psycopg2://u:p@h/db", "/")).toEqual({ dialect: "postgres", connectionString: "postgresql://u:p@h/db" });
    expect(typeof parseDatabaseUri("oracle://x", "/")).toBe("string");
    expect(typeof parseDatabaseUri("mlflow.db", "/")).toBe("string");
  });
});
