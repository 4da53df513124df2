import { useEffect, useState } from "preact/hooks";

/**
 * The query string of the current hash route.
 *
 * @example
 * currentHashQuery(); // "searchFilter=metrics.acc%3E0.9" at #/experiments/1?searchFilter=metrics.acc%3E0.9
 */
export function currentHashQuery(): string {
  const hash = window.location.hash;
  const at = hash.indexOf("?");
  return at < 0 ? "" : hash.slice(at + 1);
}

/**
 * The current hash route's query string, kept up to date on every hash change (links, back and
 * forward, {@link setHashQuery}).
 *
 * @example
 * const query = useHashQuery();
 * const filter = new URLSearchParams(query).get("searchFilter") ?? "";
 */
export function useHashQuery(): string {
  const [query, setQuery] = useState(currentHashQuery);
  useEffect(() => {
    const onChange = () => setQuery(currentHashQuery());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return query;
}

/**
 * Puts a query string on the current hash route. `push` makes a history entry (Back returns to the
 * previous view); otherwise the entry is replaced. Either way the page hears a `hashchange`, which
 * `history.replaceState` alone would not fire.
 *
 * @example
 * setHashQuery("searchFilter=metrics.acc%3E0.9", { push: true });
 */
export function setHashQuery(query: string, options: { push: boolean }): void {
  const hash = window.location.hash || "#/";
  const at = hash.indexOf("?");
  const path = at < 0 ? hash : hash.slice(0, at);
  const next = query ? `${path}?${query}` : path;
  if (next === hash) return;
  if (options.push) {
    window.location.hash = next;
    return;
  }
  const oldURL = window.location.href;
  window.history.replaceState(window.history.state, "", next);
  window.dispatchEvent(new HashChangeEvent("hashchange", { oldURL, newURL: window.location.href }));
}
