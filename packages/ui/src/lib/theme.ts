import { useEffect, useState } from "preact/hooks";

/** What the user chose: a theme, or whatever the system prefers. */
export type ThemeChoice = "light" | "dark" | "system";
/** The theme in effect. */
export type ThemeName = "light" | "dark";

const STORAGE_KEY = "mlflow-ts.theme";
const listeners = new Set<(name: ThemeName) => void>();

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

/**
 * The stored choice; "system" when nothing (or something unknown) is stored.
 *
 * @example
 * loadThemeChoice();
 */
export function loadThemeChoice(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return stored === "light" || stored === "dark" ? stored : "system";
  } catch {
    return "system";
  }
}

/**
 * The theme a choice comes to now.
 *
 * @example
 * resolveTheme(choice);
 */
export function resolveTheme(choice: ThemeChoice = loadThemeChoice()): ThemeName {
  return choice === "system" ? (systemPrefersDark() ? "dark" : "light") : choice;
}

function apply(): void {
  const name = resolveTheme();
  document.documentElement.dataset.theme = name;
  for (const listener of listeners) listener(name);
}

/**
 * Sets `<html data-theme>` from the stored choice and keeps it in step with the system's
 * `prefers-color-scheme` while the choice is "system". Called once, before the first render.
 *
 * @example
 * startTheme(); // <html data-theme="dark"> on a system in dark mode
 */
export function startTheme(): void {
  apply();
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", apply);
}

/**
 * Stores a choice ("system" forgets the stored one) and applies it.
 *
 * @example
 * setThemeChoice(choice);
 */
export function setThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === "system") window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  apply();
}

/**
 * The theme in effect, re-rendering on every change (a toggle, or the system's).
 *
 * @example
 * useThemeName();
 */
export function useThemeName(): ThemeName {
  const [name, setName] = useState<ThemeName>(() => resolveTheme());
  useEffect(() => {
    listeners.add(setName);
    return () => void listeners.delete(setName);
  }, []);
  return name;
}

const chartColours = new Map<ThemeName, { readonly text: string; readonly grid: string }>();

/**
 * Colours a canvas chart takes from the stylesheet (canvas cannot use CSS variables), read once per
 * theme: twenty charts drawn together would otherwise each force a style recalculation.
 *
 * @example
 * chartTheme();
 */
export function chartTheme(): { readonly text: string; readonly grid: string } {
  const name = (document.documentElement.dataset.theme as ThemeName | undefined) ?? resolveTheme();
  let colours = chartColours.get(name);
  if (!colours) {
    const style = getComputedStyle(document.documentElement);
    colours = { text: style.getPropertyValue("--muted").trim() || "#5f6b7a", grid: style.getPropertyValue("--grid").trim() || "rgba(0,0,0,.07)" };
    chartColours.set(name, colours);
  }
  return colours;
}
