/**
 * CLI output: readable lines for people by default, one JSON object per line with --json.
 * Each record has an `event` name; human output renders the same record.
 */
export interface OutputRecord {
  event: string;
  [field: string]: unknown;
}

export interface Output {
  readonly json: boolean;
  /** A result or progress record; `text` is what a person sees. */
  record(record: OutputRecord, text: string): void;
  /** A failure: a person sees "outbound: error: …" on stderr; JSON goes to stdout like the rest (with `extra` fields, e.g. the field at fault). */
  error(code: string, message: string, extra?: Record<string, unknown>): void;
}

export interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function createOutput(json: boolean, streams: Streams = process): Output {
  return {
    json,
    record(record, text) {
      streams.stdout.write(
        json ? `${JSON.stringify({ at: new Date().toISOString(), ...record })}\n` : `${text}\n`,
      );
    },
    error(code, message, extra) {
      if (json)
        streams.stdout.write(
          `${JSON.stringify({ at: new Date().toISOString(), event: 'error', code, message, ...extra })}\n`,
        );
      else streams.stderr.write(`outbound: error: ${message}\n`);
    },
  };
}
