import { invalidParameter } from "@mlflow-ts/protocol";

/** MLflow's permission names, lowest first. */
export const PERMISSIONS = ["NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE"] as const;
/** A permission name. */
export type Permission = (typeof PERMISSIONS)[number];

/** What a permission allows (MLflow's can_read / can_use / can_update / can_delete / can_manage). */
export interface Capabilities {
  readonly read: boolean;
  readonly use: boolean;
  readonly update: boolean;
  readonly delete: boolean;
  readonly manage: boolean;
}

const CAPS: Record<Permission, Capabilities> = {
  NO_PERMISSIONS: { read: false, use: false, update: false, delete: false, manage: false },
  READ: { read: true, use: false, update: false, delete: false, manage: false },
  USE: { read: true, use: true, update: false, delete: false, manage: false },
  EDIT: { read: true, use: true, update: true, delete: false, manage: false },
  MANAGE: { read: true, use: true, update: true, delete: true, manage: true },
};

/**
 * Checks a permission name (400 with MLflow's message otherwise).
 *
 * @example
 * parsePermission("EDIT"); // "EDIT"
 */
export function parsePermission(name: string): Permission {
  if (!(PERMISSIONS as readonly string[]).includes(name)) {
    throw invalidParameter(`Invalid permission '${name}'. Valid permissions are: ('READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')`);
  }
  return name as Permission;
}

/**
 * What a permission allows.
 *
 * @example
 * capabilitiesOf("EDIT").update; // true
 */
export function capabilitiesOf(permission: Permission): Capabilities {
  return CAPS[permission];
}
