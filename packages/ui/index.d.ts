/**
 * The directory holding the built web UI (`index.html`, `static-files/`).
 *
 * @example
 * createServer(config, stores, { logger, webUi: { directory: uiDirectory } });
 */
export declare const uiDirectory: string;
