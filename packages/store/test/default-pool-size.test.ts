import { describe, expect, it } from "vitest";
import { defaultPoolSize } from "@mlflow-ts/store";

describe("defaultPoolSize", () => {
  it("gives each process 10 connections while all of them take at most half of what the database accepts", () => {
    expect(defaultPoolSize(97, 1)).toBe(10); // PostgreSQL's default 100, 3 reserved
    expect(defaultPoolSize(97, 4)).toBe(10);
    expect(defaultPoolSize(97, 8)).toBe(6);
    expect(defaultPoolSize(151, 16)).toBe(4); // MariaDB's default 151
  });

  it("never goes below 2, so a process can run a group while a request reads", () => {
    expect(defaultPoolSize(20, 64)).toBe(2);
  });
});
