/**
 * Splits an entry point `module:export` as Python does; no `:export` means the default export.
 * The split is at the last `:`, unless that colon is a Windows drive letter's (`C:\…`).
 *
 * @example
 * parseEntry("./dist/app.js:createApp"); // { module: "./dist/app.js", exportName: "createApp" }
 * parseEntry("my-auth/app");             // { module: "my-auth/app", exportName: undefined }
 */
export function parseEntry(entry: string): { module: string; exportName: string | undefined } {
  const text = entry.trim();
  const at = text.lastIndexOf(":");
  if (at === -1 || (at === 1 && /^[A-Za-z]$/.test(text[0]!))) return { module: text, exportName: undefined };
  const exportName = text.slice(at + 1).trim();
  return { module: text.slice(0, at).trim(), exportName: exportName === "" ? undefined : exportName };
}
