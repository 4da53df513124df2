import DOMPurify from "dompurify";
import { Marked } from "marked";

// Loaded with the first description shown (a dynamic import), not with the UI's first page.

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// HTML written in the Markdown shows as text: it never reaches a parser, so a payload is not even
// tried (the page's CSP would block it, and DOMPurify drop it, but neither is needed).
const markdown = new Marked({ gfm: true, breaks: true, async: false, renderer: { html: ({ text }) => escapeHtml(text) } });

const purifier = DOMPurify(window);
// Links leave the app in a new tab and give it nothing (no opener, no referrer). DOMPurify lets
// images keep data: URLs whatever ALLOWED_URI_REGEXP says; an SVG in an <img> runs no script, but
// a description has no need to carry one, so no data: URL stays anywhere.
purifier.addHook("afterSanitizeAttributes", (node) => {
  for (const name of ["src", "href", "xlink:href"]) if (/^\s*data:/i.test(node.getAttribute(name) ?? "")) node.removeAttribute(name);
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

/**
 * Markdown (GitHub's flavour, line breaks kept as MLflow's UI keeps them) as HTML that is safe to
 * put in the page: marked parses, with HTML in the text shown as text; DOMPurify then keeps HTML
 * only (no SVG or MathML, where payloads hide), drops scripts, styles, frames, forms and every
 * event handler, and lets links and images point only to http(s), mailto and relative URLs (no
 * javascript:, vbscript: or data:).
 *
 * @example
 * renderMarkdown("**bold** <b>x</b>"); // '<p><strong>bold</strong> &lt;b&gt;x&lt;/b&gt;</p>'
 */
export function renderMarkdown(text: string): string {
  const html = markdown.parse(text) as string;
  return purifier.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#|\/|\.{0,2}\/|[^:]*$)/i,
  });
}
