/** Small flows the end-to-end tests run on real calls (the samples are too long for a quick call). */

/**
 * "Hello {name}. Can you confirm your order?" → yes (or key 1) hangs up `confirmed`, no (key 2),
 * silence or anything else hangs up `declined`. The same phrases, so one trained model serves
 * every test that uses it.
 */
export function confirmOrderFlow(
  id: string,
  name: string,
  thanks = 'Thank you, your order is confirmed. Goodbye.',
) {
  return {
    id,
    name,
    language: 'en',
    start: 'q',
    nodes: {
      q: {
        kind: 'ask',
        prompt: 'Hello {name}. Can you confirm your order? Please say yes or no.',
        intents: [
          {
            name: 'yes',
            examples: ['yes', 'yes please', 'sure', 'that is right'],
            dtmf: '1',
            next: 'ok',
          },
          { name: 'no', examples: ['no', 'no thanks', 'not now'], dtmf: '2', next: 'bye' },
        ],
        noInput: { maxAttempts: 1, next: 'bye' },
        noMatch: { maxAttempts: 1, next: 'bye' },
      },
      ok: { kind: 'hangup', say: thanks, disposition: 'confirmed' },
      bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'declined' },
    },
  };
}
