/**
 * The engine's Logger interface (the shells decide where lines go; stderr by default), and the
 * rule that logs never carry personal data: every message and every field goes through the
 * privacy detectors (numbers, 身份证, cards, e-mail, spoken digits) and is masked on its way to a
 * line. `createStderrLogger` masks; the engine wraps whatever logger it is given with
 * `maskingLogger` too, so a shell's own logger cannot leak either.
 */
import { maskText } from './privacy/index.js';

/** The engine logs through this interface; the shells decide where lines go. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A log field with personal data masked: strings through maskText, long integers as numbers, errors by their stack. */
export function maskLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  // 13800138000 stored as a number is still a phone number.
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 1e9) {
    const text = String(value);
    const masked = maskText(text);
    return masked === text ? value : masked;
  }
  if (value instanceof Error) return maskText(value.stack ?? `${value.name}: ${value.message}`);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => maskLogValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskLogValue(v, depth + 1);
  return out;
}

function maskFields(fields?: Record<string, unknown>): Record<string, unknown> | undefined {
  return fields === undefined ? undefined : (maskLogValue(fields) as Record<string, unknown>);
}

/** `inner` with every message and field masked first (see the header). */
export function maskingLogger(inner: Logger): Logger {
  if (inner === silentLogger) return inner;
  return {
    info: (m, f) => inner.info(maskText(m), maskFields(f)),
    warn: (m, f) => inner.warn(maskText(m), maskFields(f)),
    error: (m, f) => inner.error(maskText(m), maskFields(f)),
  };
}

/** One line per entry on stderr, so stdout stays free for a CLI's output; personal data masked. */
export function createStderrLogger(prefix = 'outbound'): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>): void => {
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`${new Date().toISOString()} ${prefix} ${level}: ${message}${extra}\n`);
  };
  return maskingLogger({
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  });
}
