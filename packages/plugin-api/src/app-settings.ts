/**
 * One setting of an app's configuration: its kind, whether it must be given, its default, and the
 * bounds the host checks once at start, together with every other problem of the server's
 * configuration (exit 2).
 */
export type Setting =
  | { readonly kind: "string"; readonly required?: boolean; readonly default?: string; readonly description?: string; readonly secret?: boolean; readonly pattern?: RegExp }
  | { readonly kind: "integer"; readonly required?: boolean; readonly default?: number; readonly description?: string; readonly min?: number; readonly max?: number }
  | { readonly kind: "boolean"; readonly required?: boolean; readonly default?: boolean; readonly description?: string }
  | { readonly kind: "enum"; readonly required?: boolean; readonly default?: string; readonly description?: string; readonly values: readonly string[] }
  | { readonly kind: "list"; readonly required?: boolean; readonly default?: readonly string[]; readonly description?: string };

/** An app's configuration schema: setting name (camelCase) → {@link Setting}. */
export type SettingsSchema = Readonly<Record<string, Setting>>;

type ValueOf<S extends Setting> = S extends { kind: "string" } | { kind: "enum" }
  ? string
  : S extends { kind: "integer" }
    ? number
    : S extends { kind: "boolean" }
      ? boolean
      : readonly string[];
type HasValue<S extends Setting> = S extends { required: true } ? true : S extends { default: unknown } ? true : false;

/**
 * The values an app receives for a schema: required settings and settings with a default are
 * always present, the others may be undefined.
 *
 * @example
 * const schema = { file: setting.string({ required: true }), keep: setting.integer({ default: 5 }) };
 * type Values = InferSettings<typeof schema>; // { readonly file: string; readonly keep: number }
 */
export type InferSettings<S extends SettingsSchema> = {
  readonly [K in keyof S as HasValue<S[K]> extends true ? K : never]: ValueOf<S[K]>;
} & {
  readonly [K in keyof S as HasValue<S[K]> extends true ? never : K]?: ValueOf<S[K]>;
};

/**
 * Builders of {@link Setting}s, so a schema reads as a declaration and keeps its literal types.
 *
 * @example
 * const settings = {
 *   file: setting.string({ description: "where the log goes" }),
 *   maxBytes: setting.integer({ default: 10 * 1024 * 1024, min: 1024 }),
 *   target: setting.enum(["file", "database"], { default: "file" }),
 * };
 */
export const setting = {
  string<const O extends { required?: boolean; default?: string; description?: string; secret?: boolean; pattern?: RegExp }>(options?: O): { kind: "string" } & O {
    return { kind: "string", ...(options as O) };
  },
  integer<const O extends { required?: boolean; default?: number; description?: string; min?: number; max?: number }>(options?: O): { kind: "integer" } & O {
    return { kind: "integer", ...(options as O) };
  },
  boolean<const O extends { required?: boolean; default?: boolean; description?: string }>(options?: O): { kind: "boolean" } & O {
    return { kind: "boolean", ...(options as O) };
  },
  enum<const V extends readonly string[], const O extends { required?: boolean; default?: V[number]; description?: string }>(values: V, options?: O): { kind: "enum"; values: V } & O {
    return { kind: "enum", values, ...(options as O) };
  },
  list<const O extends { required?: boolean; default?: readonly string[]; description?: string }>(options?: O): { kind: "list" } & O {
    return { kind: "list", ...(options as O) };
  },
};

/**
 * The environment variable of one setting: `MLFLOW_<APP>_<SETTING>`, upper snake case
 * (`audit-log` + `maxBytes` → `MLFLOW_AUDIT_LOG_MAX_BYTES`).
 *
 * @example
 * settingVariable("audit-log", "maxBytes"); // "MLFLOW_AUDIT_LOG_MAX_BYTES"
 */
export function settingVariable(appName: string, key: string): string {
  const app = appName.replace(/^@[^/]+\//, "").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
  const name = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
  return `MLFLOW_${app}_${name}`;
}

/** What {@link readSettings} found: the values, or every problem (each naming where it came from). */
export interface SettingsReading<S extends SettingsSchema> {
  readonly values: InferSettings<S>;
  readonly problems: readonly string[];
}

/**
 * Reads an app's settings from its `MLFLOW_<APP>_*` variables (which win) and its section of the
 * config file, checks them against the schema and collects every problem, each naming its source.
 * The host calls it once at start for every app; an app's own tests may call it too.
 *
 * @example
 * const { values, problems } = readSettings("audit-log", { keep: setting.integer({ default: 5 }) }, { env: { MLFLOW_AUDIT_LOG_KEEP: "3" } });
 * // values.keep === 3, problems = []
 */
export function readSettings<S extends SettingsSchema>(
  appName: string,
  schema: S,
  sources: { readonly env: Readonly<Record<string, string | undefined>>; readonly file?: Readonly<Record<string, unknown>>; readonly fileName?: string },
): SettingsReading<S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const fileName = sources.fileName ?? "config file";
  for (const key of Object.keys(sources.file ?? {})) {
    if (!Object.hasOwn(schema, key)) problems.push(`${fileName} (appSettings.${appName}.${key}): '${appName}' has no setting '${key}' (its settings: ${Object.keys(schema).join(", ") || "none"})`);
  }
  for (const [key, spec] of Object.entries(schema)) {
    const variable = settingVariable(appName, key);
    const fromEnv = sources.env[variable];
    const raw = fromEnv !== undefined && fromEnv !== "" ? fromEnv : sources.file?.[key];
    const where = fromEnv !== undefined && fromEnv !== "" ? variable : `${fileName} (appSettings.${appName}.${key})`;
    if (raw === undefined || raw === null) {
      if (spec.default !== undefined) values[key] = spec.default;
      else if (spec.required) problems.push(`${appName}: the setting '${key}' is required (set ${variable} or appSettings.${appName}.${key} in the config file)`);
      continue;
    }
    const value = convert(spec, raw, where, problems);
    if (value !== undefined) values[key] = value;
  }
  return { values: Object.freeze(values) as InferSettings<S>, problems };
}

// A secret's value never appears in a problem: only that it was wrong.
function shown(spec: Setting, raw: unknown): string {
  return spec.kind === "string" && spec.secret ? "the value given" : JSON.stringify(raw);
}

function convert(spec: Setting, raw: unknown, where: string, problems: string[]): unknown {
  switch (spec.kind) {
    case "string": {
      if (typeof raw !== "string") return void problems.push(`${where}: expected a string, got ${shown(spec, raw)}`);
      if (spec.pattern && !spec.pattern.test(raw)) return void problems.push(`${where}: ${shown(spec, raw)} does not match ${spec.pattern}`);
      return raw;
    }
    case "integer": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(n) || n < min || n > max) return void problems.push(`${where}: ${JSON.stringify(raw)} is not an integer${spec.min !== undefined || spec.max !== undefined ? ` between ${min} and ${max}` : ""}`);
      return n;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string" && /^(true|false|1|0|yes|no)$/i.test(raw.trim())) return /^(true|1|yes)$/i.test(raw.trim());
      return void problems.push(`${where}: ${JSON.stringify(raw)} is not a boolean (true or false)`);
    }
    case "enum": {
      if (typeof raw !== "string" || !spec.values.includes(raw)) return void problems.push(`${where}: ${JSON.stringify(raw)} is not one of ${spec.values.join(", ")}`);
      return raw;
    }
    case "list": {
      if (typeof raw === "string") return Object.freeze(raw.split(",").map((s) => s.trim()).filter(Boolean));
      if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) return Object.freeze([...raw]);
      return void problems.push(`${where}: expected a comma-separated list or an array of strings, got ${JSON.stringify(raw)}`);
    }
  }
}
