/** Starting the engine for a one-shot CLI command: a start failure becomes a printed error and exit 1. */
import { Engine, EngineStartError, type Logger } from '../engine/index.js';
import type { Output } from './output.js';

export interface CliEngineOptions {
  dataDir: string;
  version: string;
  log: Logger;
}

/** An in-process engine on the data folder, or null after printing why it could not start. */
export async function startCliEngine(options: CliEngineOptions, out: Output): Promise<Engine | null> {
  try {
    return await Engine.start({ dataDir: options.dataDir, transport: 'in-process', version: options.version, log: options.log, actor: 'cli' });
  } catch (error) {
    if (!(error instanceof EngineStartError)) throw error;
    out.error(error.code, error.message);
    return null;
  }
}
