import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { QUICK } from "./quick.js";

/** Debian's Chromium, which `.ci/run` installs; browser suites skip, saying why, without it. */
export const CHROMIUM = "/usr/bin/chromium";
export const HAS_CHROMIUM = !QUICK && fs.existsSync(CHROMIUM);

/** Where screenshots of a test run go (`test-output/ui/`, not committed). */
export const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-output/ui");

/**
 * Launches headless Chromium (never downloads a browser), without the browser UI's WebUI omnibox
 * popups, which headless Chromium otherwise loads in two renderers of their own for every new page.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup"],
  });
}

/**
 * A 1400×900 page whose script errors (uncaught exceptions, console errors) are collected in
 * `errors`; failed requests are left out, since a test's own bad requests are the page's business.
 */
export async function watchedPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  return page;
}

/** Saves a full-page screenshot as `test-output/ui/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Every visible form control and button without an accessible name (label, aria-label, text):
 * what a screen-reader user could not tell apart.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll("input, select, textarea, button, summary"))) {
      const e = el as HTMLElement;
      if (e.offsetParent === null && e.tagName !== "SUMMARY") continue;
      if ((e as HTMLInputElement).type === "hidden") continue;
      const labelled = e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || (e as HTMLInputElement).labels?.length || (e.textContent ?? "").trim() || e.getAttribute("title");
      if (!labelled) out.push(e.outerHTML.slice(0, 120));
    }
    return out;
  });
}
