import type { CompiledQuery, DatabaseConnection, Dialect, QueryResult } from "kysely";
import { invalidParameter } from "@mlflow-ts/protocol";
import { translateDatabaseError } from "./translate-database-error.js";

/** Options of {@link guardQueries}. */
export interface QueryGuardOptions {
  /**
   * The most bytes one statement may take on the wire, or undefined for no bound. A function, read
   * at each query, because the bound is known only once the server has been asked.
   */
  readonly maxStatementBytes?: () => number | undefined;
}

const GUARDED = Symbol("mlflow.guardedConnection");

// Room for the packet header and anything the estimate below does not count.
const PACKET_HEADROOM = 1024;

/**
 * The bytes a parameter takes once mysql2 has written it into the statement text (its `query`
 * formats on the client): a string quoted, with `\0 \b \t \n \r \x1a " ' \` escaped to two bytes
 * each. `exact` counts the escapes; otherwise every character is assumed escaped, a bound that is
 * only exceeded for values worth counting.
 */
function parameterBytes(value: unknown, exact: boolean): number {
  if (typeof value === "string") {
    const bytes = Buffer.byteLength(value);
    if (!exact) return 2 * bytes + 2;
    let escaped = 0;
    for (let i = 0; i < value.length; i += 1) {
      const c = value.charCodeAt(i);
      if (c === 0 || c === 8 || c === 9 || c === 10 || c === 13 || c === 26 || c === 34 || c === 39 || c === 92) escaped += 1;
    }
    return bytes + escaped + 2;
  }
  if (Buffer.isBuffer(value)) return 2 * value.length + 3;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + parameterBytes(item, exact) + 2, 2);
  return 32;
}

function statementBytes(query: CompiledQuery, exact: boolean): number {
  return query.parameters.reduce((sum: number, value) => sum + parameterBytes(value, exact), Buffer.byteLength(query.sql));
}

function checkSize(query: CompiledQuery, options: QueryGuardOptions): void {
  const max = options.maxStatementBytes?.();
  if (max === undefined) return;
  const limit = max - PACKET_HEADROOM;
  if (statementBytes(query, false) <= limit) return;
  const bytes = statementBytes(query, true);
  if (bytes > limit) {
    throw invalidParameter(
      `The request's values make a database statement of ${bytes} bytes, more than the ${max} bytes the database accepts in one (max_allowed_packet); send smaller values`,
    );
  }
}

function guard(connection: DatabaseConnection, options: QueryGuardOptions): DatabaseConnection {
  const c = connection as DatabaseConnection & { [GUARDED]?: true };
  // Drivers hand out the same connection object each time a pooled connection is reused.
  if (c[GUARDED]) return c;
  const execute = c.executeQuery.bind(c);
  const stream = c.streamQuery.bind(c);
  c.executeQuery = <R>(query: CompiledQuery) => {
    let result: Promise<QueryResult<R>>;
    try {
      checkSize(query, options);
      // SQLite's connection throws synchronously; the others reject.
      result = execute<R>(query);
    } catch (error) {
      return Promise.reject(translateDatabaseError(error));
    }
    return result.catch((error: unknown) => {
      throw translateDatabaseError(error);
    });
  };
  c.streamQuery = <R>(query: CompiledQuery, chunkSize?: number) => {
    checkSize(query, options);
    return stream<R>(query, chunkSize);
  };
  c[GUARDED] = true;
  return c;
}

/**
 * A dialect whose connections refuse, with a 400, a statement larger than the database accepts
 * (before it is sent), and answer the database errors that client input causes with a 400
 * ({@link translateDatabaseError}). MariaDB resets the connection on a statement over
 * `max_allowed_packet`: without the bound, an over-long value is a reset connection, which the
 * server can only report as "database unavailable" (503, retried by clients for minutes).
 *
 * @example
 * const db = new Kysely({ dialect: guardQueries(new MysqlDialect({ pool }), { maxStatementBytes: () => 16 * 1024 * 1024 }) });
 */
export function guardQueries(dialect: Dialect, options: QueryGuardOptions = {}): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => {
      const driver = dialect.createDriver();
      const acquire = driver.acquireConnection.bind(driver);
      driver.acquireConnection = async () => guard(await acquire(), options);
      return driver;
    },
  };
}
