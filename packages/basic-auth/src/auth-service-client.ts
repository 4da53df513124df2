import { RestClient } from "@mlflow-ts/client";

const API = "/api/2.0/mlflow";

/** A user as the auth API returns it. */
export interface AuthUser {
  readonly id: number;
  readonly username: string;
  readonly is_admin: boolean;
  readonly experiment_permissions: readonly { experiment_id: string; user_id: number; permission: string }[];
  readonly registered_model_permissions: readonly { name: string; user_id: number; permission: string; workspace?: string }[];
  readonly scorer_permissions: readonly unknown[];
}

/**
 * The TypeScript counterpart of MLflow's `AuthServiceClient` (`mlflow.app.client` of basic-auth):
 * users and experiment / registered-model permissions.
 *
 * @example
 * const auth = new AuthServiceClient("http://127.0.0.1:5000", { username: "admin", password });
 * await auth.createUser("alice", "a-long-password");
 * await auth.createExperimentPermission("1", "alice", "EDIT");
 */
export class AuthServiceClient extends RestClient {
  async createUser(username: string, password: string): Promise<AuthUser> {
    return (await this.request<{ user: AuthUser }>("POST", `${API}/users/create`, { username, password })).user;
  }
  async getUser(username: string): Promise<AuthUser> {
    return (await this.request<{ user: AuthUser }>("GET", `${API}/users/get`, { username })).user;
  }
  async listUsers(): Promise<{ id: number; username: string; is_admin: boolean }[]> {
    return (await this.request<{ users: { id: number; username: string; is_admin: boolean }[] }>("GET", `${API}/users/list`)).users;
  }
  async currentUser(): Promise<{ id: number; username: string; is_admin: boolean }> {
    return (await this.request<{ user: { id: number; username: string; is_admin: boolean } }>("GET", `${API}/users/current`)).user;
  }
  async updateUserPassword(username: string, password: string): Promise<void> {
    await this.request("PATCH", `${API}/users/update-password`, { username, password });
  }
  async updateUserAdmin(username: string, isAdmin: boolean): Promise<void> {
    await this.request("PATCH", `${API}/users/update-admin`, { username, is_admin: isAdmin });
  }
  async deleteUser(username: string): Promise<void> {
    await this.request("DELETE", `${API}/users/delete`, { username });
  }
  async createExperimentPermission(experimentId: string, username: string, permission: string): Promise<{ experiment_id: string; user_id: number; permission: string }> {
    return (await this.request<{ experiment_permission: { experiment_id: string; user_id: number; permission: string } }>("POST", `${API}/experiments/permissions/create`, { experiment_id: experimentId, username, permission })).experiment_permission;
  }
  async getExperimentPermission(experimentId: string, username: string): Promise<{ experiment_id: string; user_id: number; permission: string }> {
    return (await this.request<{ experiment_permission: { experiment_id: string; user_id: number; permission: string } }>("GET", `${API}/experiments/permissions/get`, { experiment_id: experimentId, username })).experiment_permission;
  }
  async updateExperimentPermission(experimentId: string, username: string, permission: string): Promise<void> {
    await this.request("PATCH", `${API}/experiments/permissions/update`, { experiment_id: experimentId, username, permission });
  }
  async deleteExperimentPermission(experimentId: string, username: string): Promise<void> {
    await this.request("DELETE", `${API}/experiments/permissions/delete`, { experiment_id: experimentId, username });
  }
  async createRegisteredModelPermission(name: string, username: string, permission: string): Promise<{ name: string; user_id: number; permission: string }> {
    return (await this.request<{ registered_model_permission: { name: string; user_id: number; permission: string } }>("POST", `${API}/registered-models/permissions/create`, { name, username, permission })).registered_model_permission;
  }
  async getRegisteredModelPermission(name: string, username: string): Promise<{ name: string; user_id: number; permission: string }> {
    return (await this.request<{ registered_model_permission: { name: string; user_id: number; permission: string } }>("GET", `${API}/registered-models/permissions/get`, { name, username })).registered_model_permission;
  }
  async updateRegisteredModelPermission(name: string, username: string, permission: string): Promise<void> {
    await this.request("PATCH", `${API}/registered-models/permissions/update`, { name, username, permission });
  }
  async deleteRegisteredModelPermission(name: string, username: string): Promise<void> {
    await this.request("DELETE", `${API}/registered-models/permissions/delete`, { name, username });
  }
}
