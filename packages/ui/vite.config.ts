import { defineConfig } from "vite";

// Relative asset URLs (base "./"): the same build works at "/" and under any --static-prefix.
// Assets go to static-files/ as in MLflow's own server.
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    assetsDir: "static-files",
    emptyOutDir: true,
    target: "es2022",
    // Charts load with the pages that draw them.
    chunkSizeWarningLimit: 250,
  },
});
