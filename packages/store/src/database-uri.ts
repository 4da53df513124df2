import path from "node:path";

/** What a backend-store URI names, once parsed. */
export type DatabaseTarget =
  | { readonly dialect: "sqlite"; readonly file: string }
  | { readonly dialect: "postgres"; readonly connectionString: string }
  | { readonly dialect: "mysql"; readonly connectionString: string };

/**
 * Parses an MLflow/SQLAlchemy database URI.
 *
 * - `sqlite:///mlflow.db` is relative to `cwd`, `sqlite:////abs/mlflow.db` absolute, and
 *   `sqlite://` or `sqlite:///:memory:` an in-memory database.
 * - `postgresql://`, `postgres://` and `postgresql+<driver>://` are PostgreSQL (the driver part of
 *   SQLAlchemy URIs such as `+psycopg2` is dropped).
 * - `mysql://`, `mysql+<driver>://` are MySQL.
 *
 * Returns a string describing the problem when the URI is not one of these.
 *
 * @example
 * parseDatabaseUri("sqlite:///mlflow.db", "/srv"); // { dialect: "sqlite", file: "/srv/mlflow.db" }
 */
export function parseDatabaseUri(uri: string, cwd: string): DatabaseTarget | string {
  const match = /^([a-z][a-z0-9]*)(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(uri);
  if (!match) return `'${uri}' is not a database URI (expected sqlite:///<file>, postgresql://... or mysql://...)`;
  const scheme = match[1]!.toLowerCase();
  const rest = match[3]!;
  switch (scheme) {
    case "sqlite": {
      if (rest === "" || rest === "/:memory:" || rest === "/") return { dialect: "sqlite", file: ":memory:" };
      if (!rest.startsWith("/")) return `'${uri}': a SQLite URI is sqlite:///<relative path> or sqlite:////<absolute path>`;
      const file = rest.slice(1).split("?")[0]!;
      return { dialect: "sqlite", file: path.isAbsolute(file) ? file : path.resolve(cwd, file) };
    }
    case "postgresql":
    case "postgres":
      return { dialect: "postgres", connectionString: `postgresql://${rest}` };
    case "mysql":
    case "mariadb":
      return { dialect: "mysql", connectionString: `mysql://${rest}` };
    default:
      return `'${uri}': unsupported database scheme '${scheme}' (supported: sqlite, postgresql, mysql)`;
  }
}
