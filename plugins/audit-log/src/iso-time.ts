let second = Number.NaN;
let prefix = "";

/**
 * `new Date(ms).toISOString()`, with the part up to the seconds kept from the previous call: a busy
 * server stamps thousands of entries a second, and formatting a whole date is most of what an entry
 * costs to build.
 *
 * @example
 * isoTime(Date.UTC(2026, 11, 6, 10, 15, 42, 118)); // "2026-12-06T10:15:42.118Z"
 */
export function isoTime(ms: number = Date.now()): string {
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    // Years outside 0–9999 are written differently by toISOString: never cached.
    const full = new Date(ms).toISOString();
    if (full.length !== 24) return full;
    second = s;
    prefix = full.slice(0, 20);
    return full;
  }
  const millis = ms - s * 1000;
  return `${prefix}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}
