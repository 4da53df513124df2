import { describe, expectTypeOf, it } from "vitest";
import {
  APP_CLIENT_ENTRY_POINT,
  APP_ENTRY_POINT,
  defineApp,
  defineAppClient,
  type AfterRequestHook,
  type AppFactory,
  type Authorization,
  type BeforeRequestHook,
  type MlflowApp,
  type MlflowRequest,
  type RouteInfo,
  type TrackingStore,
} from "@mlflow-ts/plugin-api";

// Apps extend the per-request state by declaration merging; this locks that it works.
declare module "@mlflow-ts/plugin-api" {
  interface RequestState {
    tenant?: string;
  }
}

// Locks the plugin-facing contract: `tsc -p tsconfig.test.json` (part of `npm test`) fails when a
// change to plugin-api would break apps written against it.
describe("plugin-api contract", () => {
  it("names the package.json fields", () => {
    expectTypeOf(APP_ENTRY_POINT).toEqualTypeOf<"mlflow.app">();
    expectTypeOf(APP_CLIENT_ENTRY_POINT).toEqualTypeOf<"mlflow.app.client">();
  });

  it("types the app, its hooks and its state", () => {
    expectTypeOf<MlflowApp["beforeRequest"]>().parameter(0).toEqualTypeOf<BeforeRequestHook>();
    expectTypeOf<MlflowApp["afterRequest"]>().parameter(0).toEqualTypeOf<AfterRequestHook>();
    expectTypeOf<ReturnType<MlflowApp["listRoutes"]>>().toEqualTypeOf<RouteInfo[]>();
    expectTypeOf<MlflowApp["context"]["stores"]["tracking"]>().toEqualTypeOf<TrackingStore>();
    expectTypeOf<MlflowRequest["state"]["authorization"]>().toEqualTypeOf<Authorization | undefined>();
    expectTypeOf<MlflowRequest["state"]["tenant"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<BeforeRequestHook>().returns.toEqualTypeOf<Response | void | Promise<Response | void>>();
  });

  it("accepts sync and async factories and client classes", () => {
    const sync = defineApp((app) => {
      app.beforeRequest((req) => {
        req.state.tenant = req.get("x-tenant");
      });
    });
    const async = defineApp(async (app) => app);
    expectTypeOf(sync).toEqualTypeOf<AppFactory>();
    expectTypeOf(async).toEqualTypeOf<AppFactory>();
    class Client {
      constructor(readonly uri: string) {}
    }
    expectTypeOf(defineAppClient(Client)).toEqualTypeOf<typeof Client>();
  });
});
