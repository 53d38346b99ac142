import type { RoleName } from '../permissions.js';
import type { User, UserId } from '../user.js';

/** Stores User aggregates. */
export interface UserRepository {
  /** @returns the user (deleted ones too), or null when absent. */
  findById(id: UserId): Promise<User | null>;
  /** @returns the user whose email matches ignoring case (deleted ones too), or null. */
  findByEmail(email: string): Promise<User | null>;
  /** @returns the user, row-locked until the transaction ends, or null. */
  findByIdForUpdate(id: UserId): Promise<User | null>;
  /**
   * Sets `lastLoginAt` of the user (deleted ones too; nothing when absent) and row-locks it until
   * the transaction ends: a sign-in's lock and write in one step.
   */
  recordSignIn(id: UserId, at: Date): Promise<void>;
  /** Inserts a new user with its roles. @throws EmailTakenError when the email is taken. */
  insert(user: User): Promise<void>;
  /** Saves every field but roles. @throws EmailTakenError when the email is taken. */
  update(user: User): Promise<void>;
  /** Replaces the user's roles. */
  setRoles(id: UserId, roles: readonly RoleName[]): Promise<void>;
  /** Row-locks every live, unsuspended admin. @returns their ids. */
  lockActiveAdmins(): Promise<UserId[]>;
}
