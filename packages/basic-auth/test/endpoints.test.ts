import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startAuthServer, type AuthServer } from "./auth-server.js";

let s: AuthServer;
beforeAll(async () => {
  s = await startAuthServer();
});
afterAll(async () => s?.close());

const API = "/api/2.0/mlflow";
function basic(u: string, p: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}` };
}

describe("users", () => {
  it("creates, gets, lists, changes password and admin flag, deletes", async () => {
    const created = await s.admin.createUser("alice", "alice-password-1");
    expect(created).toEqual({ id: created.id, username: "alice", is_admin: false, experiment_permissions: [], registered_model_permissions: [], scorer_permissions: [] });
    expect(await s.admin.getUser("alice")).toEqual(created);
    expect((await s.admin.listUsers()).map((u) => u.username)).toEqual(["admin", "alice"]);
    const alice = s.auth("alice", "alice-password-1");
    expect(await alice.currentUser()).toEqual({ id: created.id, username: "alice", is_admin: false });
    await alice.updateUserPassword("alice", "alice-password-2");
    await expect(alice.currentUser()).rejects.toMatchObject({ status: 401 });
    const alice2 = s.auth("alice", "alice-password-2");
    expect((await alice2.currentUser()).username).toBe("alice");
    await s.admin.updateUserAdmin("alice", true);
    expect((await alice2.currentUser()).is_admin).toBe(true);
    await s.admin.updateUserAdmin("alice", false);
    await s.admin.deleteUser("alice");
    await expect(s.admin.getUser("alice")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST", status: 404, message: "User with username=alice not found" });
    await expect(alice2.currentUser()).rejects.toMatchObject({ status: 401 });
  });

  it("answers bad input with MLflow's codes and messages", async () => {
    await s.admin.createUser("dup", "dup-password-123");
    await expect(s.admin.createUser("dup", "dup-password-123")).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS", status: 400 });
    await expect(s.admin.createUser("shorty", "short")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE", status: 400 });
    await expect(s.admin.createUser("old", "password1234")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(s.admin.updateUserPassword("dup", "short")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    const text = await s.fetch(`${API}/users/create`, { method: "POST", headers: { ...basic(ADMIN.username, ADMIN.password), "Content-Type": "text/plain" }, body: "{}" });
    expect([text.status, await text.text()]).toEqual([400, "Invalid content type. Must be application/json"]);
    const empty = await s.fetch(`${API}/users/create`, { method: "POST", headers: { ...basic(ADMIN.username, ADMIN.password), "Content-Type": "application/json" }, body: JSON.stringify({ username: "x" }) });
    expect([empty.status, await empty.text()]).toEqual([400, "Username and password cannot be empty."]);
    await expect(s.admin.getUser("ghost")).rejects.toMatchObject({ status: 404 });
    await expect(s.admin.updateUserAdmin("ghost", true)).rejects.toMatchObject({ status: 404 });
    await expect(s.admin.deleteUser("ghost")).rejects.toMatchObject({ status: 404 });
    const badFlag = await s.fetch(`${API}/users/update-admin`, { method: "PATCH", headers: { ...basic(ADMIN.username, ADMIN.password), "Content-Type": "application/json" }, body: JSON.stringify({ username: "dup", is_admin: "maybe" }) });
    expect(((await badFlag.json()) as { error_code: string }).error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("never deletes or demotes the last admin", async () => {
    await expect(s.admin.deleteUser(ADMIN.username)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(s.admin.updateUserAdmin(ADMIN.username, false)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    expect((await s.admin.getUser(ADMIN.username)).is_admin).toBe(true);
  });

  it("removes a deleted user's grants (MLflow fails here with an integrity error)", async () => {
    const { tracking } = await s.user("leaver");
    const id = await tracking.createExperiment("leaver-exp");
    await s.admin.createExperimentPermission(id, "dup", "EDIT");
    expect((await s.admin.getUser("leaver")).experiment_permissions).toEqual([{ experiment_id: id, user_id: expect.any(Number), permission: "MANAGE" }]);
    await s.admin.deleteUser("leaver");
    await s.admin.createUser("leaver", "leaver-password-2");
    expect((await s.admin.getUser("leaver")).experiment_permissions).toEqual([]);
  });
});

describe("permission endpoints", () => {
  it("create, get, update, delete experiment and registered-model grants", async () => {
    await s.admin.createUser("granted", "granted-password");
    const id = await s.adminTracking.createExperiment("grants");
    expect(await s.admin.createExperimentPermission(id, "granted", "READ")).toEqual({ experiment_id: id, user_id: expect.any(Number), permission: "READ" });
    await expect(s.admin.createExperimentPermission(id, "granted", "READ")).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS" });
    await s.admin.updateExperimentPermission(id, "granted", "EDIT");
    expect((await s.admin.getExperimentPermission(id, "granted")).permission).toBe("EDIT");
    await s.admin.deleteExperimentPermission(id, "granted");
    await expect(s.admin.getExperimentPermission(id, "granted")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST", status: 404 });
    await s.adminTracking.registry.createRegisteredModel("granted-model");
    expect(await s.admin.createRegisteredModelPermission("granted-model", "granted", "MANAGE")).toMatchObject({ name: "granted-model", permission: "MANAGE" });
    const raw = await s.admin.request<{ registered_model_permission: Record<string, unknown> }>("GET", `${API}/registered-models/permissions/get`, { name: "granted-model", username: "granted" });
    expect(raw.registered_model_permission).toEqual({ workspace: "default", name: "granted-model", user_id: expect.any(Number), permission: "MANAGE" });
    await expect(s.admin.createExperimentPermission(id, "granted", "OWNER")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "Invalid permission 'OWNER'. Valid permissions are: ('READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')",
    });
    await expect(s.admin.createExperimentPermission(id, "nobody", "READ")).rejects.toMatchObject({ status: 404 });
    await expect(s.admin.updateRegisteredModelPermission("granted-model", "granted", "NOPE")).rejects.toMatchObject({ status: 400 });
    await expect(s.admin.deleteRegisteredModelPermission("other-model", "granted")).rejects.toMatchObject({ status: 404 });
    const missing = await s.fetch(`${API}/experiments/permissions/create`, { method: "POST", headers: { ...basic(ADMIN.username, ADMIN.password), "Content-Type": "application/json" }, body: JSON.stringify({ username: "granted" }) });
    expect([missing.status, ((await missing.json()) as { message: string }).message]).toEqual([400, "Missing value for required parameter 'experiment_id'. See the API docs for more information about request parameters."]);
  });
});
