import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { ADMIN, startAuthServer, type AuthServer } from "./auth-server.js";
import { QUICK } from "../../../test/support/quick.js";

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = !QUICK && fs.existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`sign-up browser tests skipped: ${QUICK ? "MLFLOW_TS_TEST_QUICK is set" : `${CHROMIUM} is missing (.ci/run installs Debian's chromium)`}`);

describe.skipIf(!HAS_CHROMIUM)("the sign-up page in a real browser", () => {
  let s: AuthServer;
  let browser: Browser;
  beforeAll(async () => {
    s = await startAuthServer();
    await s.admin.createUser("plain-user", "plain-user-password");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it("lets an admin create a user through the form", async () => {
    const context = await browser.newContext({ httpCredentials: { username: ADMIN.username, password: ADMIN.password } });
    const page = await context.newPage();
    const response = await page.goto(`${s.url}/signup`);
    expect(response?.status()).toBe(200);
    await page.fill("#username", "newbie");
    await page.fill("#password", "newbie-password-1");
    await page.click("#submit");
    await page.waitForSelector("#message");
    expect(await page.textContent("#message")).toBe("Successfully signed up user: newbie");
    expect((await s.admin.getUser("newbie")).is_admin).toBe(false);
    // The same name again is refused on the page.
    await page.goto(`${s.url}/signup`);
    await page.fill("#username", "newbie");
    await page.fill("#password", "newbie-password-1");
    await page.click("#submit");
    await page.waitForSelector("#message");
    expect(await page.textContent("#message")).toBe("Username has already been taken.");
    await context.close();
  });

  it("refuses non-admins and forged form posts", async () => {
    const context = await browser.newContext({ httpCredentials: { username: "plain-user", password: "plain-user-password" } });
    const page = await context.newPage();
    expect((await page.goto(`${s.url}/signup`))?.status()).toBe(403);
    await context.close();
    const forged = await s.fetch("/api/2.0/mlflow/users/create-ui", {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: "forged", password: "forged-password-1", csrf_token: "0".repeat(64) }).toString(),
    });
    expect([forged.status, await forged.text()]).toEqual([400, "The CSRF token is missing or invalid."]);
    await expect(s.admin.getUser("forged")).rejects.toMatchObject({ status: 404 });
  });
});
