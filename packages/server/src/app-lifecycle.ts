import type { AppEvent, AppEventListener, AppEvents, HealthCheck, HealthReport, LifecycleHook, Logger, MlflowApp } from "@mlflow-ts/plugin-api";

/** An app applied to a server, as the host named it with {@link enterApp}. */
export interface AppIdentity {
  readonly name: string;
  readonly packageName?: string;
  readonly packageVersion?: string;
}

/**
 * What the apps of one server registered beyond routes and hooks: lifecycle hooks, health checks,
 * and which app is being applied (hooks registered meanwhile belong to it).
 */
export interface AppLifecycle {
  /** Index of the app being applied: 0 for the base server, 1 for the first app, … */
  current: number;
  readonly apps: AppIdentity[];
  readonly ready: { readonly app: number; readonly hook: LifecycleHook }[];
  readonly close: { readonly app: number; readonly hook: LifecycleHook }[];
  readonly health: { readonly app: number; readonly name: string; readonly check: HealthCheck }[];
  readonly events: AppEvents;
}

const LIFECYCLE = Symbol.for("mlflow-ts.app-lifecycle");

/**
 * A fresh lifecycle record with its event channel (listener errors go to the logger).
 *
 * @example
 * const lifecycle = createLifecycle(logger);
 */
export function createLifecycle(logger: Logger): AppLifecycle {
  const listeners: AppEventListener[] = [];
  const events: AppEvents = {
    emit(event: AppEvent) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          logger.error("an app's event listener failed", { event: event.type, error: String((error as Error)?.message ?? error) });
        }
      }
    },
    on(listener: AppEventListener) {
      listeners.push(listener);
    },
  };
  return { current: 0, apps: [], ready: [], close: [], health: [], events };
}

/**
 * Attaches a lifecycle record to an app (the server does it once in `createServer`).
 *
 * @example
 * attachLifecycle(app, createLifecycle(logger));
 */
export function attachLifecycle(app: MlflowApp, lifecycle: AppLifecycle): void {
  Object.defineProperty(app, LIFECYCLE, { value: lifecycle });
}

/**
 * The lifecycle record of an app made by `createServer`; undefined for another Express app.
 *
 * @example
 * lifecycleOf(app)?.apps.map((a) => a.name);
 */
export function lifecycleOf(app: unknown): AppLifecycle | undefined {
  return (app as Record<symbol, AppLifecycle | undefined> | undefined)?.[LIFECYCLE];
}

/**
 * Tells the server that the hooks, lifecycle hooks and health checks registered from now on
 * belong to the app `identity` (the host calls it before applying each app, in order). After-request
 * hooks then run in reverse order of the apps, as Flask runs them.
 *
 * @example
 * enterApp(base, { name: "audit-log", packageName: "@mlflow-ts/audit-log", packageVersion: "0.1.0" });
 * await applyApp(base, loaded);
 */
export function enterApp(app: MlflowApp, identity: AppIdentity): void {
  const lifecycle = lifecycleOf(app);
  if (!lifecycle) throw new Error("enterApp: the app was not made by createServer");
  lifecycle.apps.push(Object.freeze({ ...identity }));
  lifecycle.current = lifecycle.apps.length;
}

const LIFECYCLE_HOOK_MS = 10_000;
const HEALTH_CHECK_MS = 2_000;

function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function appName(lifecycle: AppLifecycle, index: number): string {
  return index === 0 ? "server" : lifecycle.apps[index - 1]?.name ?? `app ${index}`;
}

/**
 * Runs every `onReady` hook in the order of the apps; the first that throws stops the start-up.
 *
 * @example
 * await runReadyHooks(lifecycle);
 */
export async function runReadyHooks(lifecycle: AppLifecycle): Promise<void> {
  for (const { app, hook } of lifecycle.ready) {
    try {
      await bounded(Promise.resolve().then(hook), LIFECYCLE_HOOK_MS, `the onReady hook of '${appName(lifecycle, app)}'`);
    } catch (error) {
      throw new Error(`The onReady hook of the app '${appName(lifecycle, app)}' failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  }
}

/**
 * Runs every `onClose` hook, the last app's first, each bounded; failures are logged and do not
 * stop the others (the stores must still be closed after them).
 *
 * @example
 * await runCloseHooks(lifecycle, logger);
 */
export async function runCloseHooks(lifecycle: AppLifecycle, logger: Logger): Promise<void> {
  const hooks = [...lifecycle.close].sort((a, b) => b.app - a.app);
  for (const { app, hook } of hooks) {
    try {
      await bounded(Promise.resolve().then(hook), LIFECYCLE_HOOK_MS, `the onClose hook of '${appName(lifecycle, app)}'`);
    } catch (error) {
      logger.error("an app's onClose hook failed", { app: appName(lifecycle, app), error: String((error as Error)?.message ?? error) });
    }
  }
}

/**
 * Every health contribution, each bounded: name → its report (a check that throws or takes too
 * long reports `ok: false` with why).
 *
 * @example
 * const checks = await runHealthChecks(lifecycle);
 */
export async function runHealthChecks(lifecycle: AppLifecycle): Promise<Record<string, HealthReport & { readonly app: string }>> {
  const entries = await Promise.all(
    lifecycle.health.map(async ({ app, name, check }) => {
      try {
        const report = await bounded(Promise.resolve().then(check), HEALTH_CHECK_MS, `the health check '${name}'`);
        return [name, { app: appName(lifecycle, app), ok: report.ok === true, ...(report.detail !== undefined ? { detail: report.detail } : {}) }] as const;
      } catch (error) {
        return [name, { app: appName(lifecycle, app), ok: false, detail: String((error as Error)?.message ?? error) }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
