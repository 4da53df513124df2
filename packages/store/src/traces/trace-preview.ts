/** MLflow's preview length for open-source servers (`TRACE_REQUEST_RESPONSE_PREVIEW_MAX_LENGTH_OSS`). */
export const PREVIEW_LENGTH = 1000;

type Message = { role?: unknown; content?: unknown };

const isMessage = (item: unknown): item is Message => typeof item === "object" && item !== null && "role" in item && "content" in item;

function messagesOf(obj: unknown): Message[] | undefined {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  if (Array.isArray(o.messages) && o.messages.length > 0) return o.messages.filter(isMessage);
  const choices = o.choices;
  if (Array.isArray(choices) && choices.length > 0 && typeof choices[0] === "object" && choices[0] !== null) {
    const message = (choices[0] as Record<string, unknown>).message;
    if (isMessage(message)) return [message];
  }
  if (Array.isArray(o.input) && o.input.length > 0) return o.input.filter(isMessage);
  if (Array.isArray(o.output) && o.output.length > 0) return o.output.filter(isMessage);
  if ("request" in o) return messagesOf(o.request);
  return undefined;
}

function textOf(message: Message): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === "string") return part;
      if (typeof part === "object" && part !== null && ["text", "output_text"].includes(String((part as Record<string, unknown>).type))) {
        const text = (part as Record<string, unknown>).text;
        return typeof text === "string" ? text : "";
      }
    }
  }
  return "";
}

/**
 * A trace's request or response preview from the root span's inputs or outputs (JSON text), as
 * MLflow's `_get_truncated_preview` makes it: for chat-shaped values the text of the last message
 * of the role (or the last message), otherwise the text itself; cut to 1,000 characters.
 *
 * @example
 * truncatedPreview('{"messages": [{"role": "user", "content": "hi"}]}', "user"); // "hi"
 */
export function truncatedPreview(text: string, role: "user" | "assistant"): string {
  let content: string | undefined;
  try {
    const messages = messagesOf(JSON.parse(text));
    if (messages && messages.length > 0) {
      const message = [...messages].reverse().find((m) => m.role === role) ?? messages[messages.length - 1]!;
      content = textOf(message);
    }
  } catch {
    // Not JSON: the text is its own preview.
  }
  const out = content || text;
  return out.length <= PREVIEW_LENGTH ? out : `${out.slice(0, PREVIEW_LENGTH - 3)}...`;
}
