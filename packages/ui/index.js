// The Node side of the UI package: where its built static files are. The server serves them; the
// browser code itself (src/) imports no Node package.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The directory holding `index.html` and `static-files/` once `vite build` has run. */
export const uiDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), "dist");
