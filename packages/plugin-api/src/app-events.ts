import type { MlflowRequest } from "./app.js";

/**
 * What one app tells the others about security-relevant moments that are not plain requests: a
 * sign-in (successful or refused) and a change of who may do what. Auth apps emit them; an audit
 * app listens. Events never carry secrets (no password, token or cookie).
 *
 * @example
 * const event: AppEvent = { type: "sign-in", outcome: "failure", username: "alice", method: "basic", reason: "wrong password" };
 */
export type AppEvent =
  | {
      readonly type: "sign-in";
      readonly outcome: "success" | "failure";
      /** Who signed in, or who was claimed on a refused attempt; absent when unknown. */
      readonly username?: string;
      /** How: `basic`, `bearer`, `oidc`, `password-form`, … */
      readonly method: string;
      /** Why a sign-in was refused, in words safe to log. */
      readonly reason?: string;
      readonly req?: MlflowRequest;
    }
  | {
      readonly type: "permission-change";
      /** Who made the change. */
      readonly actor?: string;
      /** What changed: `grant`, `revoke`, `admin`, `user-created`, `user-deleted`, `password`, … */
      readonly action: string;
      /** Whose access changed. */
      readonly subject?: string;
      /** The resource: `{ experiment_id }`, `{ registered_model_name }`, … */
      readonly resource?: Readonly<Record<string, string>>;
      readonly permission?: string;
      readonly req?: MlflowRequest;
    };

/** A listener of {@link AppEvents}; errors it throws are logged, never thrown at the emitter. */
export type AppEventListener = (event: AppEvent) => void;

/**
 * The server's event channel between apps (`app.context.events`). Listeners run synchronously in
 * registration order; what they do slowly they must queue themselves.
 *
 * @example
 * app.context.events.on((event) => { if (event.type === "sign-in") record(event); });
 * app.context.events.emit({ type: "sign-in", outcome: "success", username: "alice", method: "oidc" });
 */
export interface AppEvents {
  emit(event: AppEvent): void;
  on(listener: AppEventListener): void;
}
