/** Help text for `outbound`. */
export const USAGE = `Usage: outbound <command> [options]

Commands:
  serve                 Start the engine with the console on 127.0.0.1 (headless)
  version               Print the version
  help                  Show this help

Options for every command:
  --data DIR            Workspace folder (database, recordings); default: the desktop app's folder
  --json                One JSON object per line instead of readable text

Options for serve:
  --port N              Port to listen on (default 0: any free port)
  --host HOST           127.0.0.1 (default), ::1 or localhost; never a public address
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
