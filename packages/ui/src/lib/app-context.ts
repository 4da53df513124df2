import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { UiManifest } from "@mlflow-ts/protocol";

/** What every page may use: the apps' UI manifest, and the notification area. */
export interface AppServices {
  readonly manifest: UiManifest;
  notify(message: string, kind?: "info" | "error"): void;
}

export const AppContext = createContext<AppServices>({ manifest: { pages: [] }, notify: () => {} });

/** The UI's shared services. */
export function useApp(): AppServices {
  return useContext(AppContext);
}
