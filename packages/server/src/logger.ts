import type { Logger } from "@mlflow-ts/plugin-api";

/** Where log lines go and how they look. */
export interface LoggerOptions {
  readonly format: "pretty" | "json";
  readonly write?: (line: string) => void;
}

function pretty(level: string, message: string, fields?: Readonly<Record<string, unknown>>): string {
  const time = new Date().toISOString().slice(11, 23);
  const extra = fields && Object.keys(fields).length > 0 ? ` ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}` : "";
  return `${time} ${level.padEnd(5)} ${message}${extra}`;
}

/**
 * A line logger: human-readable on a terminal, one JSON object per line otherwise.
 *
 * @example
 * const logger = createLogger({ format: process.stdout.isTTY ? "pretty" : "json" });
 * logger.info("listening", { port: 5000 });
 */
export function createLogger(options: LoggerOptions): Logger & { request(fields: RequestLogFields): void } {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
    write(options.format === "json" ? JSON.stringify({ time: Date.now(), level, msg: message, ...fields }) : pretty(level, message, fields));
  return {
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    request(fields) {
      if (options.format === "json") write(JSON.stringify({ time: Date.now(), level: "info", msg: "request", ...fields }));
      else write(`${new Date().toISOString().slice(11, 23)} ${fields.method} ${fields.path} ${fields.status} ${fields.ms.toFixed(1)}ms`);
    },
  };
}

/** What one access-log line carries: never headers, query strings or bodies (credentials live there). */
export interface RequestLogFields {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
}
