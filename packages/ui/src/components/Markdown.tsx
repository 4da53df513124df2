import { useEffect, useState } from "preact/hooks";

let renderer: Promise<typeof import("../lib/render-markdown.js")> | undefined;

/**
 * A description (experiment, run, model, version) rendered from Markdown and sanitised. The parser
 * and sanitiser load on first use; until then the text shows as it is.
 *
 * @example
 * <Markdown text={note} />
 */
export function Markdown(props: { text: string; class?: string }) {
  const [html, setHtml] = useState<string>();
  useEffect(() => {
    let current = true;
    renderer ??= import("../lib/render-markdown.js");
    renderer.then(
      (m) => current && setHtml(m.renderMarkdown(props.text)),
      () => current && setHtml(undefined),
    );
    return () => {
      current = false;
    };
  }, [props.text]);
  if (html === undefined) return <div class={`markdown pre ${props.class ?? ""}`}>{props.text}</div>;
  return <div class={`markdown ${props.class ?? ""}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
