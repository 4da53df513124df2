import type { RouteInfo } from "@mlflow-ts/plugin-api";

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route registered on an Express app (routes of mounted routers included, by their inner
 * path), one entry per method.
 *
 * @example
 * listExpressRoutes(app).filter((r) => r.path.startsWith("/api/2.0/"));
 */
export function listExpressRoutes(app: unknown): RouteInfo[] {
  const router = (app as { router?: { stack?: Layer[] } }).router;
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[] | undefined): void => {
    for (const layer of stack ?? []) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== "_all") out.push({ method: method.toUpperCase(), path });
          }
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk(router?.stack);
  return out;
}
