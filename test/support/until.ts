/**
 * Polling in end-to-end tests: `until` asks `probe` every 500 ms until it returns something truthy,
 * or fails after `timeoutMs` with `explain()` (e.g. the server's log) in the message. A probe that
 * throws fails the wait at once (unlike test/telephony's `waitFor`, which retries through errors).
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  explain: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${explain()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
