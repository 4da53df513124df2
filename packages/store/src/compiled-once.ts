import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from "kysely";
import { isDeepStrictEqual } from "node:util";

const texts = new Map<string, string>();

/**
 * Runs a query whose SQL text depends only on `shape` (dialect, table, row count…) and whose
 * parameters are `parameters`, compiling it with Kysely only the first time that shape is seen.
 * Building and compiling a query costs more than SQLite takes to run a one-row insert; hot writes
 * (log-metric) repeat a handful of shapes exactly. The first compilation also checks that
 * `parameters` are the ones Kysely binds, in its order, so the SQL stays Kysely's own.
 *
 * @example
 * await executeCompiledOnce(trx, "sqlite:run-row", () => trx.selectFrom("runs").selectAll().where("run_uuid", "=", id), [id]);
 */
export async function executeCompiledOnce<R>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  shape: string,
  build: () => Compilable<R>,
  parameters: readonly unknown[],
): Promise<QueryResult<R>> {
  const text = texts.get(shape);
  if (text !== undefined) return db.executeQuery(CompiledQuery.raw(text, parameters as unknown[]) as CompiledQuery<R>);
  const compiled = build().compile();
  if (!isDeepStrictEqual([...compiled.parameters], [...parameters])) {
    throw new Error(`executeCompiledOnce(${shape}): parameters ${JSON.stringify(parameters)} are not the ones the query binds, ${JSON.stringify(compiled.parameters)}`);
  }
  texts.set(shape, compiled.sql);
  return db.executeQuery(compiled);
}
