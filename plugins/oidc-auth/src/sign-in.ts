import type { Request, Response } from "express";
import * as oidc from "openid-client";
import type { AppEvents, Logger, MlflowRequest } from "@mlflow-ts/plugin-api";
import type { OidcConfig } from "./config.js";
import { identityOf, type Identity } from "./identity-of.js";
import { CookieCodec, cookieValue, type PendingLogin, type Session } from "./session.js";

/** Cookie names: the session, and the sign-in in progress. */
export const SESSION_COOKIE = "mlflow_oidc_session";
export const PENDING_COOKIE = "mlflow_oidc_login";
// A sign-in must come back from the provider within this many seconds.
const PENDING_TTL = 600;
// After the session's lifetime, a refresh token may renew it for this much longer at most.
const REFRESH_WINDOW = 7 * 24 * 3600;

/**
 * A path on this server to return to after signing in, or the UI's root: anything else (another
 * origin, `//host`, a backslash trick, a `javascript:` URL) is an open redirect and is dropped.
 *
 * @example
 * safeNext("/#/experiments/1", ""); // "/#/experiments/1"
 * safeNext("https://evil.example", ""); // "/"
 */
export function safeNext(next: unknown, prefix: string): string {
  const home = `${prefix}/`;
  if (typeof next !== "string" || next.length > 2000) return home;
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\") || /[\u0000-\u001f]/.test(next)) return home;
  return prefix && !next.startsWith(prefix) ? home : next;
}

function cookie(name: string, value: string, maxAge: number, config: OidcConfig, prefix: string): string {
  const secure = config.redirectUrl.startsWith("https:") ? "; Secure" : "";
  return `${name}=${value}; Path=${prefix || "/"}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

/**
 * The browser side of OpenID Connect (`openid-client`): `/oidc/login` starts the authorization
 * code flow with PKCE, `state` and `nonce` (kept in an encrypted cookie); `/oidc/callback` checks
 * all three through `openid-client`, sets the session cookie and returns to where the user was;
 * `/oidc/logout` ends the session here and at the provider (RP-initiated logout).
 *
 * @example
 * const signIn = new SignIn(provider, config, cookies, prefix, logger, onSignedIn);
 * app.get(`${prefix}/oidc/login`, (req, res) => signIn.login(req, res));
 */
export class SignIn {
  constructor(
    private readonly provider: oidc.Configuration,
    private readonly config: OidcConfig,
    private readonly cookies: CookieCodec,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly onSignedIn: (identity: Identity) => Promise<void>,
    /** Where sign-ins are told (an audit app listens). */
    private readonly events?: AppEvents,
  ) {}

  // Reasons are fixed words: a provider's error text is not copied into an event.
  private told(req: Request, reason?: string, username?: string): void {
    this.events?.emit({ type: "sign-in", outcome: reason ? "failure" : "success", method: "oidc", ...(username ? { username } : {}), ...(reason ? { reason } : {}), req: req as MlflowRequest });
  }

  async login(req: Request, res: Response): Promise<void> {
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, next: safeNext(req.query.next, this.prefix) };
    const url = oidc.buildAuthorizationUrl(this.provider, {
      redirect_uri: this.config.redirectUrl,
      scope: this.config.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    res.setHeader("Set-Cookie", cookie(PENDING_COOKIE, await this.cookies.seal({ ...pending }, PENDING_TTL), PENDING_TTL, this.config, this.prefix));
    res.setHeader("Cache-Control", "no-store");
    res.redirect(303, url.toString());
  }

  async callback(req: Request, res: Response): Promise<void> {
    const pending = await this.cookies.open<PendingLogin>(cookieValue(req.get("cookie"), PENDING_COOKIE));
    // The sign-in cookie is used once: a replayed callback finds none.
    res.setHeader("Set-Cookie", cookie(PENDING_COOKIE, "", 0, this.config, this.prefix));
    res.setHeader("Cache-Control", "no-store");
    if (!pending) {
      this.told(req, "sign-in expired or replayed");
      return this.refuse(res, "This sign-in has expired or was already used.");
    }
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      // The URL as the provider sent the browser to it (the registered redirect URL and this query).
      const current = new URL(this.config.redirectUrl);
      current.search = new URL(req.originalUrl, "http://x").search;
      tokens = await oidc.authorizationCodeGrant(this.provider, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (error) {
      // The reason only (state mismatch, provider error…): never a code or a token.
      this.logger.warn("oidc-auth: sign-in refused", { reason: (error as Error).message.slice(0, 200) });
      this.told(req, "the provider's answer was refused");
      return this.refuse(res, "Sign-in failed.");
    }
    const identity = await this.identityFrom(tokens);
    if (!identity) {
      this.told(req, "the provider named no user");
      return this.refuse(res, "The identity provider did not say who you are.");
    }
    await this.onSignedIn(identity);
    this.told(req, undefined, identity.username);
    await this.startSession(res, identity, tokens);
    res.redirect(303, pending.next);
  }

  async logout(req: Request, res: Response): Promise<void> {
    const session = await this.cookies.open<Session>(cookieValue(req.get("cookie"), SESSION_COOKIE));
    res.setHeader("Set-Cookie", cookie(SESSION_COOKIE, "", 0, this.config, this.prefix));
    res.setHeader("Cache-Control", "no-store");
    const endSession = this.provider.serverMetadata().end_session_endpoint;
    if (!endSession) return void res.redirect(303, `${this.prefix}/`);
    const url = oidc.buildEndSessionUrl(this.provider, {
      post_logout_redirect_uri: this.config.postLogoutRedirectUrl,
      ...(session?.idToken ? { id_token_hint: session.idToken } : { client_id: this.config.clientId }),
    });
    res.redirect(303, url.toString());
  }

  /** Renews an expired session with its refresh token; undefined when the provider refuses. */
  async refresh(session: Session, res: Response | undefined): Promise<Identity | undefined> {
    if (!session.refreshToken) return undefined;
    try {
      const tokens = await oidc.refreshTokenGrant(this.provider, session.refreshToken);
      const identity = (await this.identityFrom(tokens)) ?? { username: session.username, groups: session.groups };
      if (res) await this.startSession(res, identity, tokens, session.idToken);
      return identity;
    } catch (error) {
      this.logger.info("oidc-auth: session refresh refused; signing in again", { reason: (error as Error).message.slice(0, 200) });
      return undefined;
    }
  }

  private async identityFrom(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Promise<Identity | undefined> {
    const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    let identity = identityOf(claims, this.config);
    // Providers that leave groups out of the ID token (Okta's defaults, Google) have them at userinfo.
    if (identity && !(this.config.groupsClaim in claims) && typeof claims.sub === "string" && tokens.access_token) {
      try {
        const info = (await oidc.fetchUserInfo(this.provider, tokens.access_token, claims.sub)) as Record<string, unknown>;
        identity = identityOf({ ...claims, ...info }, this.config) ?? identity;
      } catch {
        // No userinfo endpoint, or no groups there: the caller simply has none.
      }
    }
    return identity;
  }

  private async startSession(res: Response, identity: Identity, tokens: oidc.TokenEndpointResponse, previousIdToken?: string): Promise<void> {
    const lifetime = this.config.sessionLifetimeSeconds;
    const session: Session = {
      username: identity.username,
      groups: identity.groups,
      expires: Math.floor(Date.now() / 1000) + lifetime,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(tokens.id_token ?? previousIdToken ? { idToken: tokens.id_token ?? previousIdToken } : {}),
    };
    const ttl = lifetime + (tokens.refresh_token ? REFRESH_WINDOW : 0);
    res.append("Set-Cookie", cookie(SESSION_COOKIE, await this.cookies.seal({ ...session }, ttl), ttl, this.config, this.prefix));
  }

  private refuse(res: Response, why: string): void {
    res
      .status(400)
      .type("html")
      .send(`<!doctype html><meta charset="utf-8"><title>Sign-in</title><p>${why} <a href="${this.prefix}/oidc/login">Sign in again</a></p>`);
  }
}
