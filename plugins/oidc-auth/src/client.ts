import { RestClient } from "@mlflow-ts/client";

/** A group's grant on an experiment or a registered model. */
export interface GroupPermission {
  readonly group: string;
  readonly kind: "experiment" | "registered_model";
  readonly resource: string;
  readonly permission: string;
}

const API = "/api/2.0/mlflow";
const GROUPS = "/api/2.0/mlflow-ts/group-permissions";

/**
 * The client of oidc-auth (`mlflow.app.client`): group grants and MLflow's per-user permission
 * endpoints, with a provider's access token (`{ token }`, or MLFLOW_TRACKING_TOKEN's value).
 *
 * @example
 * const admin = new OidcAuthClient("https://mlflow.example.com", { token: accessToken });
 * await admin.setGroupPermission("team-a", "experiment", "1", "EDIT");
 */
export class OidcAuthClient extends RestClient {
  async listGroupPermissions(group?: string): Promise<GroupPermission[]> {
    return (await this.request<{ group_permissions: GroupPermission[] }>("GET", `${GROUPS}/list`, group === undefined ? {} : { group })).group_permissions;
  }
  async setGroupPermission(group: string, kind: GroupPermission["kind"], resource: string, permission: string): Promise<GroupPermission> {
    return (await this.request<{ group_permission: GroupPermission }>("POST", `${GROUPS}/set`, { group, kind, resource, permission })).group_permission;
  }
  async deleteGroupPermission(group: string, kind: GroupPermission["kind"], resource: string): Promise<void> {
    await this.request("DELETE", `${GROUPS}/delete`, { group, kind, resource });
  }
  async createExperimentPermission(experimentId: string, username: string, permission: string): Promise<{ experiment_id: string; user_id: number; permission: string }> {
    return (await this.request<{ experiment_permission: { experiment_id: string; user_id: number; permission: string } }>("POST", `${API}/experiments/permissions/create`, { experiment_id: experimentId, username, permission })).experiment_permission;
  }
  async deleteExperimentPermission(experimentId: string, username: string): Promise<void> {
    await this.request("DELETE", `${API}/experiments/permissions/delete`, { experiment_id: experimentId, username });
  }
  async createRegisteredModelPermission(name: string, username: string, permission: string): Promise<{ name: string; user_id: number; permission: string }> {
    return (await this.request<{ registered_model_permission: { name: string; user_id: number; permission: string } }>("POST", `${API}/registered-models/permissions/create`, { name, username, permission })).registered_model_permission;
  }
  async deleteRegisteredModelPermission(name: string, username: string): Promise<void> {
    await this.request("DELETE", `${API}/registered-models/permissions/delete`, { name, username });
  }
}
