/**
 * auth/ — users, password hashing, sessions, sign-in rate limits and the principal each API
 * connection carries. The role map itself sits beside the contract (api/roles.ts).
 */
export {
  cliPrincipal,
  type Principal,
  type PrincipalSource,
  type Role,
  ROLES,
} from './principal.js';
