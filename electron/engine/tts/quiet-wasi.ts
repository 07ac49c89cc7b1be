/**
 * node:wasi, loaded on first use without its one known start-up warning. Node 20 emits
 * "ExperimentalWarning: WASI is an experimental feature and might change at any time" the first
 * time the module is loaded; a static import put that line on stderr of every `outbound` command
 * (the engine's bundle holds flite), though WASI only runs when flite trains a phrase model.
 *
 * The filter is installed around the synchronous load only and drops exactly that warning (its
 * type and message); any other warning, then or later, reaches Node's handler as before.
 */
import { createRequire } from 'node:module';
import type * as NodeWasi from 'node:wasi';

type WasiModule = typeof NodeWasi;

const WASI_WARNING_TYPE = 'ExperimentalWarning';
const WASI_WARNING_TEXT = 'WASI is an experimental feature';

/** True for Node's WASI experimental warning as `process.emitWarning` receives it, false for any other. */
export function isWasiExperimentalWarning(warning: unknown, typeOrOptions?: unknown): boolean {
  const message =
    typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
  const type =
    warning instanceof Error
      ? warning.name
      : typeof typeOrOptions === 'string'
        ? typeOrOptions
        : typeof typeOrOptions === 'object' && typeOrOptions !== null
          ? (typeOrOptions as { type?: unknown }).type
          : undefined;
  return type === WASI_WARNING_TYPE && message.startsWith(WASI_WARNING_TEXT);
}

let loaded: WasiModule | null = null;

/** The node:wasi module; the first call loads it with its experimental warning filtered out. */
export function loadWasi(): WasiModule {
  if (loaded) return loaded;
  const original = process.emitWarning;
  const filtered = function (this: unknown, warning: unknown, ...rest: unknown[]): void {
    if (isWasiExperimentalWarning(warning, rest[0])) return;
    Reflect.apply(original, process, [warning, ...rest]);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    loaded = createRequire(import.meta.url)('node:wasi') as WasiModule;
  } finally {
    // Put Node's back unless someone replaced ours meanwhile (then theirs stays).
    if (process.emitWarning === (filtered as typeof process.emitWarning))
      process.emitWarning = original;
  }
  return loaded;
}
