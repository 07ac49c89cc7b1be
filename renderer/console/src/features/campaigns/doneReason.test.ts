import { describe, expect, it } from 'vitest';

import { parseDoneReason } from './doneReason.js';

describe('a done contact’s reason', () => {
  it('recognises what the dialer writes', () => {
    expect(parseDoneReason('final disposition confirmed')).toEqual([
      { key: 'finalDisposition', disposition: 'confirmed' },
    ]);
    expect(parseDoneReason('completed')).toEqual([{ key: 'outcome', outcome: 'completed' }]);
    expect(parseDoneReason('all 3 attempts used')).toEqual([{ key: 'maxAttempts', count: 3 }]);
    expect(parseDoneReason('last call ended "busy", which is not retried')).toEqual([
      { key: 'noRetry', outcome: 'busy' },
    ]);
    expect(parseDoneReason('opted out (number added to the do-not-call list)')).toEqual([
      { key: 'optedOut' },
    ]);
    expect(
      parseDoneReason(
        'number is on the do-not-call list; contact already has a final disposition (refused)',
      ),
    ).toEqual([{ key: 'dnc' }, { key: 'finalDisposition', disposition: 'refused' }]);
    expect(
      parseDoneReason('the campaign requires consent and the contact has no consent record'),
    ).toEqual([{ key: 'noConsent' }]);
  });

  it('leaves a reason it does not know to be shown as written', () => {
    expect(parseDoneReason('something new')).toBeNull();
    expect(parseDoneReason('all 3 attempts used; something new')).toBeNull();
  });
});
