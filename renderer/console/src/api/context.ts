import { createContext } from 'react';

import type { EngineConnection } from './engine.js';

export const EngineContext = createContext<EngineConnection | null>(null);
