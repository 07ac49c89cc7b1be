/**
 * `collect`: says its prompt and takes digits keyed by the customer (DTMF: RFC 4733, SIP INFO or
 * in-band tones) into a flow variable, the way IVRs take card and ID numbers; a phrase spotter
 * cannot transcribe spoken digits, so keys are the only input it reads (speech is ignored). The
 * input ends at the terminator key, at `digits.max`, after a pause of `interDigitTimeoutMs`, or
 * after `maxTimeMs`; nothing in `firstDigitTimeoutMs` is no input. Too few digits or a failed
 * check (a bank card's Luhn digit, a 身份证's GB 11643 check character) is an invalid attempt. After
 * `maxAttempts` the node goes to `noInput` or `invalid` (by its last attempt).
 *
 * `sensitive: true` (PCI DSS pause-and-resume): from the prompt until the input ends the channel
 * records silence on both sides and masks what the customer keys or says; the node's events carry
 * only the masked form, and the raw value reaches only the node's variable, which the call's
 * outcome drops (or keeps masked, `store: 'masked'`). See DialogContext.sensitiveSpan.
 */
import { isValidIdCard, luhnValid, maskValue } from '../../privacy/index.js';
import type { DialogContext } from '../context.js';
import { DialogCancelledError, type NodeExecutor, type NodeResult } from '../context.js';
import type { NodeOf, PromptText } from '../schema.js';
import type { DigitsResult } from '../types.js';

type CollectNodeSpec = NodeOf<'collect'>;
type EndedBy = 'terminator' | 'max' | 'timeout' | 'max_time';

/** Keys a customer may key into a collect node (a terminator among them ends the input). */
const KEY = /^[0-9*#]$/;

/**
 * The digits as the node's check reads them: a 身份证's X is keyed as * (phone keypads have no X)
 * and may only be its last character.
 */
export function normalizeDigits(check: CollectNodeSpec['check'], keyed: string): string {
  return check === 'idCard' && keyed.length === 18 && keyed.endsWith('*')
    ? `${keyed.slice(0, 17)}X`
    : keyed;
}

/** Whether the keyed value passes the node's length and check. */
export function digitsValid(node: CollectNodeSpec, value: string): boolean {
  if (value.length < node.digits.min || value.length > node.digits.max) return false;
  switch (node.check) {
    case 'none':
      return /^[0-9*]+$/.test(value);
    case 'luhn':
      return /^[0-9]{16,19}$/.test(value) && luhnValid(value);
    case 'idCard':
      return /^[0-9]{17}[0-9X]$/.test(value) && isValidIdCard(value);
  }
}

/**
 * The form anyone may see: a card's first 6 and last 4, a 身份证's first 6 and last 4
 * (privacy/maskValue); unchecked digits (a PIN, an account number) not even in part.
 */
export function maskDigits(check: CollectNodeSpec['check'], value: string): string {
  // Too short to be the number (a mistyped entry): nothing of it, not even a last few digits.
  if (value.length < 12) return '*'.repeat(value.length);
  switch (check) {
    case 'luhn':
      return maskValue('bankCard', value);
    case 'idCard':
      return maskValue('idCard', value);
    case 'none':
      return '*'.repeat(value.length);
  }
}

export class CollectNode implements NodeExecutor {
  constructor(readonly node: CollectNodeSpec) {}

  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    const node = this.node;
    let prompt: PromptText = node.prompt;
    for (let attempt = 1; ; attempt++) {
      const ask = async (): Promise<{ keyed: string; endedBy: EndedBy }> => {
        await ctx.say(node.id, prompt, node.bargeIn, signal);
        return this.keyIn(ctx, signal);
      };
      // Sensitive: the span covers the prompt as well, so keys pressed over it are silenced too.
      const { keyed, endedBy } = node.sensitive
        ? await ctx.sensitiveSpan(node.id, ask)
        : await ask();
      const value = normalizeDigits(node.check, keyed);
      const result: DigitsResult =
        keyed === '' ? 'no_input' : digitsValid(node, value) ? 'collected' : 'invalid';
      const exhausted = result !== 'collected' && attempt >= node.maxAttempts;
      // An entry that failed its check is no card or ID: none of it is shown.
      const masked = !node.sensitive
        ? value
        : result === 'collected'
          ? maskDigits(node.check, value)
          : '*'.repeat(value.length);
      ctx.emit({
        type: 'digits',
        nodeId: node.id,
        variable: node.variable,
        result,
        masked,
        count: keyed.length,
        endedBy,
        attempt,
        exhausted,
      });
      if (result === 'collected') {
        ctx.setVariable(
          node.id,
          node.variable,
          value,
          node.sensitive ? { masked, store: node.store } : undefined,
        );
        return { next: node.next };
      }
      if (exhausted) return { next: result === 'no_input' ? node.noInput : node.invalid };
      prompt = result === 'invalid' ? (node.retryPrompt ?? node.prompt) : node.prompt;
    }
  }

  /** Reads keys until the terminator, max digits, a pause or the overall limit. */
  private async keyIn(
    ctx: DialogContext,
    signal: AbortSignal,
  ): Promise<{ keyed: string; endedBy: EndedBy }> {
    const { max, terminator, firstDigitTimeoutMs, interDigitTimeoutMs, maxTimeMs } =
      this.node.digits;
    const endAt = Date.now() + maxTimeMs;
    let keyed = '';
    for (;;) {
      if (signal.aborted) throw new DialogCancelledError();
      const remainingMs = endAt - Date.now();
      if (remainingMs <= 0) return { keyed, endedBy: 'max_time' };
      const waitMs = Math.min(
        keyed === '' ? firstDigitTimeoutMs : interDigitTimeoutMs,
        remainingMs,
      );
      const heard = await ctx.listen(waitMs, signal, 'digits');
      if (heard.kind === 'no_input')
        return { keyed, endedBy: waitMs === remainingMs && keyed !== '' ? 'max_time' : 'timeout' };
      // Keys one at a time from a call, or several at once (a typed chat's "#6222…#").
      const keys =
        heard.kind === 'dtmf'
          ? heard.digits
          : heard.kind === 'text' && /^[0-9*#\s-]+$/.test(heard.text)
            ? heard.text.replace(/[\s-]/g, '')
            : ''; // speech: a phrase spotter cannot read digits; the customer keys them
      for (const key of keys) {
        if (!KEY.test(key)) continue;
        if (terminator !== 'none' && key === terminator) return { keyed, endedBy: 'terminator' };
        keyed += key;
        if (keyed.length >= max) return { keyed, endedBy: 'max' };
      }
    }
  }
}
