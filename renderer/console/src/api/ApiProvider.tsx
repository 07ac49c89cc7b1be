import type { ReactNode } from 'react';

import { EngineContext } from './context.js';
import type { EngineConnection } from './engine.js';

export function ApiProvider({
  connection,
  children,
}: {
  connection: EngineConnection;
  children: ReactNode;
}) {
  return <EngineContext value={connection}>{children}</EngineContext>;
}
