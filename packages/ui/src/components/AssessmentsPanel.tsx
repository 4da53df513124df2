import { useState } from "preact/hooks";
import { useApp } from "../lib/app-context.js";
import { createAssessment, deleteAssessment, updateAssessment, type AssessmentDraft } from "../lib/trace-api.js";
import { assessmentValue, compactJson, parseValueInput } from "../lib/trace-format.js";
import type { Assessment } from "../lib/trace-types.js";

function kindOf(a: Assessment): AssessmentDraft["kind"] {
  return a.expectation ? "expectation" : "feedback";
}

/** The inline editor of one assessment's value and (feedback) rationale. */
function EditRow(props: { assessment: Assessment; onSave: (draft: AssessmentDraft) => Promise<void>; onCancel: () => void }) {
  const a = props.assessment;
  const [value, setValue] = useState(compactJson(assessmentValue(a)));
  const [rationale, setRationale] = useState(a.rationale ?? "");
  const kind = kindOf(a);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave({ kind, name: a.assessment_name, value: parseValueInput(value), rationale });
      }}
    >
      <input aria-label={`New value of ${a.assessment_name}`} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      {kind === "feedback" && <input aria-label={`New rationale of ${a.assessment_name}`} placeholder="Rationale" value={rationale} onInput={(e) => setRationale((e.target as HTMLInputElement).value)} />}
      <button type="submit" class="primary">
        Save
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

/**
 * A trace's assessments (feedback and expectations: value, rationale, source, validity) with a
 * form to add one as the signed-in user, and edit and delete per row. `onChange` reloads the trace.
 *
 * @example
 * <AssessmentsPanel traceId={info.trace_id} assessments={info.assessments ?? []} onChange={info.reload} />
 */
export function AssessmentsPanel(props: { traceId: string; assessments: readonly Assessment[]; onChange: () => void }) {
  const { notify, manifest } = useApp();
  const [editing, setEditing] = useState<string>();
  const [draft, setDraft] = useState({ kind: "feedback" as AssessmentDraft["kind"], name: "", value: "", rationale: "" });
  const run = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      notify(done);
      props.onChange();
      return true;
    } catch (err) {
      notify((err as Error).message, "error");
      return false;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const body: AssessmentDraft = { kind: draft.kind, name: draft.name.trim(), value: parseValueInput(draft.value), rationale: draft.rationale || undefined };
    if (await run(() => createAssessment(props.traceId, body, manifest.user?.username ?? ""), `${draft.kind === "feedback" ? "Feedback" : "Expectation"} '${body.name}' added`)) {
      setDraft({ ...draft, name: "", value: "", rationale: "" });
    }
  };
  return (
    <div class="assessments">
      <table class="kv">
        <caption class="sr-only">Assessments</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Value</th>
            <th scope="col">Rationale</th>
            <th scope="col">Source</th>
            <th scope="col">Valid</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.assessments.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                No assessments
              </td>
            </tr>
          )}
          {props.assessments.map((a) => (
            <tr key={a.assessment_id} class={a.valid === false ? "deleted" : ""} data-assessment-id={a.assessment_id}>
              <td>{a.assessment_name}</td>
              <td>{kindOf(a)}</td>
              {editing === a.assessment_id ? (
                <td colSpan={2}>
                  <EditRow
                    assessment={a}
                    onCancel={() => setEditing(undefined)}
                    onSave={async (d) => {
                      if (await run(() => updateAssessment(props.traceId, a.assessment_id, d), `'${a.assessment_name}' saved`)) setEditing(undefined);
                    }}
                  />
                </td>
              ) : (
                <>
                  <td>
                    <code class="pre">{compactJson(assessmentValue(a))}</code>
                  </td>
                  <td class="pre">{a.rationale}</td>
                </>
              )}
              <td>
                {a.source?.source_type ?? ""}
                {a.source?.source_id ? ` (${a.source.source_id})` : ""}
              </td>
              <td title={a.overrides ? `overrides ${a.overrides}` : undefined}>{a.valid === false ? "no (overridden)" : "yes"}</td>
              <td class="row-actions">
                <button type="button" class="link" aria-label={`Edit assessment ${a.assessment_name}`} onClick={() => setEditing(a.assessment_id)}>
                  Edit
                </button>
                <button
                  type="button"
                  class="link"
                  aria-label={`Delete assessment ${a.assessment_name}`}
                  onClick={() => window.confirm(`Delete assessment '${a.assessment_name}'?`) && void run(() => deleteAssessment(props.traceId, a.assessment_id), `'${a.assessment_name}' deleted`)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="inline-form assessment-form" onSubmit={add}>
        <select aria-label="Assessment kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: (e.target as HTMLSelectElement).value as AssessmentDraft["kind"] })}>
          <option value="feedback">Feedback</option>
          <option value="expectation">Expectation</option>
        </select>
        <input aria-label="Assessment name" placeholder="name, e.g. correctness" required value={draft.name} onInput={(e) => setDraft({ ...draft, name: (e.target as HTMLInputElement).value })} />
        <input aria-label="Assessment value" placeholder='value: true, 0.9, "text", {"a": 1}' required value={draft.value} onInput={(e) => setDraft({ ...draft, value: (e.target as HTMLInputElement).value })} />
        {draft.kind === "feedback" && <input aria-label="Rationale" placeholder="rationale (optional)" value={draft.rationale} onInput={(e) => setDraft({ ...draft, rationale: (e.target as HTMLInputElement).value })} />}
        <button type="submit" class="primary">
          Add {draft.kind}
        </button>
      </form>
    </div>
  );
}
