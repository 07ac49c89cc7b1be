/**
 * Sign-in and users (issue 13): who is at the console, and the admin's Users page. Which role may
 * run which command is the role map beside the contract (roles.ts), not here.
 */
import { z } from 'zod';

const Timestamp = z.number().int().nonnegative();

export const UserRole = z.enum(['agent', 'supervisor', 'admin']);
export type UserRole = z.infer<typeof UserRole>;

const Username = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'must be at least 2 characters')
  .max(64)
  .regex(/^[a-z0-9._-]+$/, 'may use lowercase letters, digits, dot, dash and underscore only');
/** Checked for length here; the engine says why a new one is refused (auth/password.ts). */
const Password = z.string().min(1, 'is required').max(256);
const NewPassword = z.string().min(8, 'must be at least 8 characters').max(256);
const DisplayName = z.string().trim().min(1, 'is required').max(100);

/** The signed-in user, as the console shows them. */
export const WhoAmISchema = z.object({
  userId: z.number().int().nonnegative(),
  username: z.string(),
  displayName: z.string(),
  role: UserRole,
  /** The agent record this user acts as (routing, offers, wrap-up): their own user id. */
  agentId: z.number().int().nullable(),
  /** How long the session lives without a request (settings.sessionIdleMs). */
  idleTimeoutMs: z.number().int().positive(),
});
export type WhoAmI = z.infer<typeof WhoAmISchema>;

export const UserViewSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: UserRole,
  /** False for an agent made before sign-in existed, until an admin sets a password. */
  hasPassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: Timestamp,
});
export type UserView = z.infer<typeof UserViewSchema>;

const SignedIn = z.object({
  /** Keeps the session across a reload of the page (the console holds it in sessionStorage only). */
  token: z.string(),
  user: WhoAmISchema,
});

export const authCommands = {
  /** What the sign-in page needs before anyone signs in. */
  'auth.status': {
    params: z.object({}).strict(),
    result: z.object({
      version: z.string(),
      /** No admin can sign in yet: the console asks for the first one. */
      needsFirstAdmin: z.boolean(),
      user: WhoAmISchema.nullable(),
    }),
  },
  /** Creates the first admin and signs this connection in; refused once an admin exists. */
  'auth.setupFirstAdmin': {
    params: z
      .object({ username: Username, displayName: DisplayName.optional(), password: NewPassword })
      .strict(),
    result: SignedIn,
  },
  'auth.signIn': {
    params: z
      .object({ username: z.string().trim().toLowerCase().max(64), password: Password })
      .strict(),
    result: SignedIn,
  },
  /** Takes up a session after a reload or reconnect; UNAUTHENTICATED when it expired or ended. */
  'auth.resume': {
    params: z.object({ token: z.string().min(1).max(200) }).strict(),
    result: z.object({ user: WhoAmISchema }),
  },
  'auth.signOut': { params: z.object({}).strict(), result: z.object({}) },
  'auth.whoami': { params: z.object({}).strict(), result: WhoAmISchema },
  'users.list': {
    params: z.object({}).strict(),
    result: z.object({ users: z.array(UserViewSchema) }),
  },
  /** A user who can sign in; role agent makes them an agent routing can offer calls to. */
  'users.add': {
    params: z
      .object({
        username: Username,
        displayName: DisplayName.optional(),
        role: UserRole,
        password: NewPassword,
        skills: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
      })
      .strict(),
    result: UserViewSchema,
  },
  /** Changes a user's role (their sessions end, so the new role applies at the next sign-in). */
  'users.update': {
    params: z.object({ id: z.number().int(), role: UserRole }).strict(),
    result: UserViewSchema,
  },
  /** Disables (sessions end, sign-in refused) or enables a user; the last admin cannot be disabled. */
  'users.disable': {
    params: z.object({ id: z.number().int(), disabled: z.boolean() }).strict(),
    result: UserViewSchema,
  },
  /** Sets a new password (the user's sessions end). */
  'users.resetPassword': {
    params: z.object({ id: z.number().int(), password: NewPassword }).strict(),
    result: UserViewSchema,
  },
} as const;
