/**
 * The first path segments of the routes the server mounts when there is no static prefix: the base
 * server's (`/api/…`, `/ajax-api/…`, `/get-artifact`, `/model-versions/get-artifact`, `/graphql`,
 * `/health`, `/version`, `/metrics`, OTLP ingest at `/v1/traces`), the web UI's (`/static-files/…`) and basic-auth's (`/signup`,
 * `/basic-auth/ui/pages.js`), plus the two that MLflow leaves open without a login though nothing
 * here serves them (`/static…`, `/favicon.ico`). `static-prefix.test.ts` starts that server and
 * checks every route it lists against this set.
 */
const BUILT_IN_ROOTS: readonly string[] = ["api", "ajax-api", "get-artifact", "model-versions", "graphql", "health", "version", "metrics", "static-files", "basic-auth", "signup", "static", "favicon.ico", "v1"];

// Characters a path segment may carry unescaped that neither URLs nor Express's route patterns
// (where `:`, `*`, `(`, `{`, `?`, `+` mean something) read specially.
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * Why a `--static-prefix` cannot be used, or undefined when it can. The prefix is put in front of
 * the UI, `/ajax-api`, `/health` and `/version` routes; `/api/…` and `/metrics` stay where they are.
 * One that starts with a built-in route's first segment (`/static`, `/api`, `/health`, …) would
 * mix the prefixed routes with the unprefixed ones and with what is open without a login, so it
 * is refused, as are ones that are not a plain path (MLflow's rule: starts with `/`, does not end
 * with `/`; here also no empty, `.` or `..` segment, and no character that URLs or route patterns
 * read specially). `/static-mlflow` and `/staticfoo` are fine.
 *
 * @example
 * staticPrefixProblem("/mlflow"); // undefined
 * staticPrefixProblem("/static"); // "'/static' starts with 'static', the first segment of a built-in route …"
 */
export function staticPrefixProblem(prefix: string): string | undefined {
  if (prefix === "") return undefined;
  if (!prefix.startsWith("/") || prefix.endsWith("/")) return `'${prefix}' must start with '/' and must not end with '/'`;
  const segments = prefix.slice(1).split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return `'${prefix}' has an empty, '.' or '..' segment`;
  const odd = segments.find((s) => !SEGMENT.test(s));
  if (odd !== undefined) return `'${prefix}': the segment '${odd}' may hold only letters, digits, '-', '.', '_' and '~' (the prefix becomes part of URLs and route patterns)`;
  // Case-insensitively: a proxy or a client may fold case on the way.
  const first = segments[0]!.toLowerCase();
  if (BUILT_IN_ROOTS.includes(first)) {
    return `'${prefix}' starts with '${segments[0]}', the first segment of a built-in route: its routes would overlap /${first}… (built-in: ${BUILT_IN_ROOTS.join(", ")})`;
  }
  return undefined;
}
