import { resolveTheme, setThemeChoice, useThemeName } from "../lib/theme.js";

/**
 * The top bar's dark-mode switch. It flips the theme in effect; a choice that matches the system's
 * `prefers-color-scheme` is not stored, so the UI goes back to following the system, and one that
 * differs is kept in local storage.
 *
 * @example
 * <ThemeToggle />
 */
export function ThemeToggle() {
  const theme = useThemeName();
  const dark = theme === "dark";
  const flip = () => {
    const wanted = dark ? "light" : "dark";
    setThemeChoice(wanted === resolveTheme("system") ? "system" : wanted);
  };
  return (
    <button type="button" class="theme-toggle" aria-label="Dark mode" aria-pressed={dark} title={dark ? "Switch to the light theme" : "Switch to the dark theme"} onClick={flip}>
      {dark ? "☀" : "☾"}
    </button>
  );
}
