/**
 * The test chat at a sensitive collect node: the card number typed as keys is shown masked in the
 * customer's turn and in the variable's "Why" line, as on a call; the bot's thank-you says it masked.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { validateFlow } from '../dialog/index.js';
import { FlowChats } from './chat.js';

const CARD = '6222021234567894';

const cardFlow = validateFlow({
  id: 'card',
  name: 'Card',
  language: 'en',
  start: 'card',
  nodes: {
    card: {
      kind: 'collect',
      prompt: 'Please key in your card number, then the hash key.',
      variable: 'card',
      check: 'luhn',
      digits: { min: 16, max: 19 },
      sensitive: true,
      next: 'thanks',
      noInput: 'bye',
      invalid: 'bye',
    },
    thanks: { kind: 'hangup', say: 'Thank you, card {card} is noted.', disposition: 'card_taken' },
    bye: { kind: 'hangup', disposition: 'no_card' },
  },
});

describe('the test chat at a sensitive node', () => {
  const opened: FlowChats[] = [];
  afterEach(() => opened.splice(0).forEach((c) => c.close()));

  it('shows the keyed card number only masked', async () => {
    const chats = new FlowChats();
    opened.push(chats);
    const start = await chats.start(cardFlow, 1, 'card', { fields: {}, timeZone: 'UTC' });
    const step = await chats.send(start.chatId, { kind: 'dtmf', digits: `${CARD}#` });
    expect(step.turns[0]).toMatchObject({
      speaker: 'customer',
      kind: 'dtmf',
      text: `#${'*'.repeat(CARD.length + 1)}`,
    });
    expect(step.turns.map((t) => t.text)).toContain('Thank you, card 622202******7894 is noted.');
    expect(step.turns.find((t) => t.kind === 'variable_set')?.text).toBe(
      'card = "622202******7894"',
    );
    expect(JSON.stringify(step)).not.toContain(CARD);
    expect(step.ended).toMatchObject({ reason: 'hangup', disposition: 'card_taken' });
  });
});
