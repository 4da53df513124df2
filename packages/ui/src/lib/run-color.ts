/**
 * The colour of a run, the same on every page (experiment charts, compare, run page, legends and
 * swatches): a hash of the run ID (FNV-1a) picks a hue on the whole circle and one of two
 * lightnesses, so no page has to agree with another on an order of runs, and two runs of a chart
 * rarely share a colour (a palette of 10–20 colours repeats within almost every 10-run chart).
 * Saturation and lightness are mid-range: readable on the light and the dark theme alike.
 *
 * @example
 * runColor("4f1c…"); // "hsl(137 70% 42%)", wherever the run is drawn
 */
export function runColor(runId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < runId.length; i += 1) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash >>>= 0;
  const hue = hash % 360;
  const lightness = (hash >>> 9) % 2 ? 42 : 56;
  return `hsl(${hue} 70% ${lightness}%)`;
}
