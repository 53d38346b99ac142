/** Every permission the API knows. */
export const PERMISSIONS = [
  'users:read',
  'users:write',
  'users:delete',
  'roles:read',
  'roles:assign',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each permission allows, as the role catalogue describes it. */
export const PERMISSION_DESCRIPTIONS: Readonly<Record<Permission, string>> = {
  'users:read': 'Read user accounts',
  'users:write': 'Change user accounts',
  'users:delete': 'Delete and restore user accounts',
  'roles:read': 'Read roles and their permissions',
  'roles:assign': 'Change the roles of users',
  'audit:read': 'Read the audit trail',
};

/** Built-in role names. */
export const DEFAULT_ROLE_NAMES = ['user', 'support', 'admin'] as const;
export type RoleName = string;

/** A role and the permissions it grants. */
export interface Role {
  readonly name: RoleName;
  readonly description: string;
  readonly permissions: readonly Permission[];
}

/** The roles every installation starts with. */
export const DEFAULT_ROLES: readonly Role[] = [
  { name: 'user', description: 'A signed-up user; no admin permissions', permissions: [] },
  { name: 'support', description: 'Reads user accounts', permissions: ['users:read'] },
  { name: 'admin', description: 'Every permission', permissions: [...PERMISSIONS] },
];

/** The role every new account gets. */
export const DEFAULT_ROLE: RoleName = 'user';
export const ADMIN_ROLE: RoleName = 'admin';

export const isPermission = (value: string): value is Permission =>
  (PERMISSIONS as readonly string[]).includes(value);

/** The union of the permissions of `roles`, in PERMISSIONS order. */
export const permissionsOf = (roles: readonly Role[]): Permission[] => {
  const granted = new Set(roles.flatMap((role) => role.permissions));
  return PERMISSIONS.filter((p) => granted.has(p));
};

/** Anything that holds permissions: a token's principal, a user. */
export interface PermissionHolder {
  readonly permissions: readonly Permission[];
}

/** @returns true when `holder` has `permission`. Pure. */
export const can = (holder: PermissionHolder, permission: Permission): boolean =>
  holder.permissions.includes(permission);
