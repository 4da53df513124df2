import type { Registration } from "../lib/registrations.js";
import { link } from "../lib/router.js";

/**
 * "Registered as churn version 2, …" beside a logged model, each version linked; nothing when the
 * model is not registered.
 *
 * @example
 * <RegisteredAs registrations={registrationsOf(versions, { runId, artifactUri, path: "model" })} />
 */
export function RegisteredAs(props: { registrations: readonly Registration[]; prefix?: string }) {
  if (props.registrations.length === 0) return null;
  return (
    <span class="registered">
      {props.prefix ?? "Registered as"}{" "}
      {props.registrations.map((r, i) => (
        <span key={`${r.name}/${r.version}`}>
          {i > 0 && ", "}
          <a href={link.modelVersion(r.name, r.version)}>
            {r.name} version {r.version}
          </a>
        </span>
      ))}
    </span>
  );
}
