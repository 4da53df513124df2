import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { MlflowApp, MlflowRequest } from "@mlflow-ts/plugin-api";
import { permissionChanged, type AuthStore } from "@mlflow-ts/authz";
import { passwordProblem } from "./auth-config.js";
import { hashPassword } from "./werkzeug-hash.js";

const COOKIE = "mlflow_signup_csrf";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function cookieOf(req: MlflowRequest): string | undefined {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE) return v.join("=");
  }
  return undefined;
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}label{display:block;margin:.75rem 0}input{width:100%;padding:.4rem}</style></head><body>${body}</body></html>`;
}

/**
 * The admin-only sign-up page (`GET /signup`) and its form post (`POST /api/2.0/mlflow/users/create-ui`),
 * as MLflow has them. CSRF: a random cookie (`SameSite=Strict`, `HttpOnly`) and a form token that is
 * an HMAC of it under the server secret (`MLFLOW_FLASK_SERVER_SECRET_KEY`, shared by replicas, or
 * random per process), compared in constant time.
 *
 * @example
 * registerSignup(app, store, secret);
 */
export function registerSignup(app: MlflowApp, store: AuthStore, secret: Buffer): void {
  const tokenFor = (cookie: string) => createHmac("sha256", secret).update(cookie).digest("hex");
  app.get("/signup", (req, res) => {
    const cookie = randomBytes(24).toString("hex");
    res.setHeader("Set-Cookie", `${COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Strict`);
    res.setHeader("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'");
    res.type("html").send(
      page(
        "Sign up",
        `<h1>Create a user</h1><form method="post" action="/api/2.0/mlflow/users/create-ui"><input type="hidden" name="csrf_token" value="${tokenFor(cookie)}"><label>Username <input id="username" name="username" required minlength="4"></label><label>Password <input id="password" name="password" type="password" required minlength="12"></label><button id="submit" type="submit">Sign up</button></form>`,
      ),
    );
  });
  app.post("/api/2.0/mlflow/users/create-ui", async (req, res, next) => {
    try {
      if (!req.is("application/x-www-form-urlencoded")) {
        res.status(400).type("text/plain").send("Invalid content type. Must be application/x-www-form-urlencoded");
        return;
      }
      const form = (req.body ?? {}) as Record<string, string>;
      const cookie = cookieOf(req as MlflowRequest);
      const given = Buffer.from(String(form.csrf_token ?? ""));
      const expected = cookie ? Buffer.from(tokenFor(cookie)) : Buffer.alloc(0);
      if (!cookie || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.status(400).type("text/plain").send("The CSRF token is missing or invalid.");
        return;
      }
      const username = String(form.username ?? "");
      const password = String(form.password ?? "");
      const problem = !username || !password ? "Username and password cannot be empty." : passwordProblem(password);
      if (problem) {
        res.status(400).type("html").send(page("Sign up", `<p id="message">${escapeHtml(problem)}</p><a href="/signup">Back</a>`));
        return;
      }
      if (await store.findUser(username)) {
        res.status(400).type("html").send(page("Sign up", `<p id="message">Username has already been taken.</p><a href="/signup">Back</a>`));
        return;
      }
      await store.createUser(username, await hashPassword(password), false);
      permissionChanged(app, req as MlflowRequest, { action: "user-created", subject: username });
      res.type("html").send(page("Signed up", `<p id="message">Successfully signed up user: ${escapeHtml(username)}</p><a href="/">Home</a>`));
    } catch (error) {
      next(error);
    }
  });
}
