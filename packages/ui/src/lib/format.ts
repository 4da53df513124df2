/** A timestamp (ms) as a local date and time: `2026-11-30 14:05:09`. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined || ms === null) return "";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How long ago, briefly: `5 min ago`. */
export function formatAgo(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return "";
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A duration: `1.2 s`, `3.4 min`, `2.0 h`. */
export function formatDuration(start: number | undefined, end: number | undefined): string {
  if (start === undefined || end === undefined || end < start) return "";
  const s = (end - start) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** A metric value as the wire carries it (numbers, or "NaN"/"Infinity" strings), compactly. */
export function formatValue(value: number | string | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e7)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

/** A byte count: `1.5 KB`. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A wire double as a number (NaN and the infinities included). */
export function toNumber(value: number | string): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return Number(value);
}
