/**
 * Why a campaign contact is done, in the console's language. The engine stores the reason as an
 * English sentence (dialer.ts settlementFor, policy.ts describeReason); the ones it writes are
 * recognised here and put in words with the disposition's label and the outcome's name. A reason
 * this console does not recognise (a newer engine) is shown as the engine wrote it.
 */
export type DoneReasonPart =
  | { key: 'outcome'; outcome: string }
  | { key: 'finalDisposition'; disposition: string }
  | { key: 'maxAttempts'; count: number }
  | { key: 'noRetry'; outcome: string }
  | { key: 'optedOut' }
  | { key: 'dnc' }
  | { key: 'noConsent' };

function part(text: string): DoneReasonPart | null {
  if (text === 'completed' || text === 'transferred') return { key: 'outcome', outcome: text };
  const final =
    /^final disposition ([a-z][a-z0-9_]*)$/.exec(text) ??
    /^contact already has a final disposition \(([a-z][a-z0-9_]*)\)$/.exec(text);
  if (final) return { key: 'finalDisposition', disposition: final[1]! };
  const attempts = /^all (\d+) attempts used$/.exec(text);
  if (attempts) return { key: 'maxAttempts', count: Number(attempts[1]) };
  const noRetry = /^last call ended "([a-z_]+)", which is not retried$/.exec(text);
  if (noRetry) return { key: 'noRetry', outcome: noRetry[1]! };
  if (/^opted out\b/.test(text)) return { key: 'optedOut' };
  if (text === 'number is on the do-not-call list') return { key: 'dnc' };
  if (text === 'the campaign requires consent and the contact has no consent record')
    return { key: 'noConsent' };
  return null;
}

/** The reason's parts ("; "-separated), or null when any part is not one the engine is known to write. */
export function parseDoneReason(reason: string): DoneReasonPart[] | null {
  const parts = reason.split('; ').map(part);
  return parts.every((p): p is DoneReasonPart => p !== null) ? parts : null;
}
