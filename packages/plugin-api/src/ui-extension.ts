import type { UiIdentity, UiPage } from "@mlflow-ts/protocol";
import type { MlflowRequest } from "./app.js";

/**
 * What an app adds to the web UI ({@link MlflowApp.ui}): pages, and how to tell who is signed in.
 *
 * @example
 * app.ui({
 *   pages: [{ id: "tokens", title: "My tokens", module: "/acme/ui/tokens.js", navigation: "account" }],
 *   whoAmI: (req) => (req.state.authorization ? { username: req.state.authorization.username } : undefined),
 * });
 */
export interface UiExtension {
  readonly pages?: readonly UiPage[];
  /** The caller, once the app's hooks have recognised them; undefined for anonymous requests. */
  readonly whoAmI?: (req: MlflowRequest) => UiIdentity | undefined | Promise<UiIdentity | undefined>;
}
