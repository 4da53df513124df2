import type { AppEvent } from "@mlflow-ts/plugin-api";
import type { AuditEntry } from "./audit-entry.js";
import { requestEntryContext } from "./request-context.js";
import { isoTime } from "./iso-time.js";

const clip = (text: string | undefined, max = 256) => (text === undefined ? undefined : text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * The audit entry of an app event: a sign-in (`success`, or `refused` with its reason) or a
 * permission change (who changed what, for whom). The request it happened in gives the method,
 * endpoint and path; nothing else of the event is read (events carry no secrets, and an entry
 * could not hold one if they did).
 *
 * @example
 * app.context.events.on((event) => sink.write(eventEntry(event)));
 */
export function eventEntry(event: AppEvent): AuditEntry {
  const time = isoTime();
  const where = event.req ? requestEntryContext(event.req) : {};
  if (event.type === "sign-in") {
    return {
      time,
      kind: "sign-in",
      user: clip(event.username) ?? null,
      ...where,
      outcome: event.outcome === "success" ? "success" : "refused",
      auth: clip(event.method, 64)!,
      ...(event.reason ? { reason: clip(event.reason) } : {}),
    };
  }
  const resource = event.resource ? Object.fromEntries(Object.entries(event.resource).filter(([, v]) => typeof v === "string").map(([k, v]) => [k, clip(v)!])) : undefined;
  return {
    time,
    kind: "permission-change",
    user: clip(event.actor) ?? null,
    ...where,
    outcome: "success",
    action: clip(event.action, 64)!,
    ...(event.subject !== undefined ? { subject: clip(event.subject) } : {}),
    ...(resource && Object.keys(resource).length ? { resource } : {}),
    ...(event.permission !== undefined ? { permission: clip(event.permission, 64) } : {}),
  };
}
