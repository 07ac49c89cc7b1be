/** Who is signed in at this console, for the header, the agent desk and the pages' role checks. */
import { createContext, use } from 'react';

import type { WhoAmI } from '../../api/contract.js';

export interface AuthState {
  /** Null while signed out (or before the connection is up). */
  user: WhoAmI | null;
  signOut(): Promise<void>;
}

export const AuthContext = createContext<AuthState>({
  user: null,
  signOut: () => Promise.resolve(),
});

export function useAuth(): AuthState {
  return use(AuthContext);
}
