/**
 * auth/ — users, password hashing, sessions, sign-in rate limits and the principal each API
 * connection carries. The role map itself sits beside the contract (api/roles.ts).
 */
export { ApiConnection, type ConnectionInfo, localAdminContext } from './connection.js';
export { cliPrincipal, type Principal, type Role } from './principal.js';
export { AuthService } from './service.js';
