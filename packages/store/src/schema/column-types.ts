import type { ColumnDef, ColumnType } from "./ddl.js";

// Shorthands the table definitions are written in, so each reads like MLflow's migration it copies.

/**
 * `String(n)`.
 *
 * @example
 * col("name", varchar(256), true);
 */
export const varchar = (length: number): ColumnType => ({ kind: "varchar", length });
/** `Text()`. */
export const TEXT: ColumnType = { kind: "text" };
/** `BigInteger()`. */
export const BIGINT: ColumnType = { kind: "bigint" };
/** `Integer()`. */
export const INTEGER: ColumnType = { kind: "integer" };
/** `Float(precision=53)`. */
export const DOUBLE: ColumnType = { kind: "double" };
/** `Boolean()` as SQLAlchemy < 1.4 made it: with a 0/1 CHECK where it is not native. */
export const BOOLEAN: ColumnType = { kind: "boolean" };
/** `Boolean()` as SQLAlchemy 2 makes it (MLflow 3.x tables): no CHECK. */
export const BOOLEAN_UNCHECKED: ColumnType = { kind: "boolean", check: false };
/** `JSON`. */
export const JSON_TYPE: ColumnType = { kind: "json" };

/**
 * A column; `extra` carries a server default or a generated expression.
 *
 * @example
 * col("step", BIGINT, true, { default: 0 });
 */
export const col = (name: string, type: ColumnType, notNull = false, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, type, notNull, ...extra });
