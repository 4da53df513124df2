import { useRef, useState } from "preact/hooks";

/**
 * A block of code with a Copy button. The clipboard API needs a secure context (https or
 * localhost); elsewhere the code is selected and copied the old way, and is always there to select.
 *
 * @example
 * <CodeSnippet label="How to load" code={loadSnippet(name, version, aliases)} />
 */
export function CodeSnippet(props: { label: string; code: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<"yes" | "no">();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.code);
      setCopied("yes");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(pre.current!);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      setCopied(document.execCommand("copy") ? "yes" : "no");
    }
    window.setTimeout(() => setCopied(undefined), 2000);
  };
  return (
    <figure class="snippet" aria-label={props.label}>
      <pre ref={pre}>
        <code>{props.code}</code>
      </pre>
      <button type="button" class="copy" aria-label={`Copy ${props.label.toLowerCase()}`} onClick={copy}>
        {copied === "yes" ? "Copied" : copied === "no" ? "Select and copy" : "Copy"}
      </button>
    </figure>
  );
}
