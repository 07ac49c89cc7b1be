/**
 * The typed test chat's DialogChannel: the bot's prompts come out as text and the customer's
 * answers go in as text, key presses or silence. Shared by `outbound flow chat` (answers read from
 * a terminal) and the API's flows.chat.* (answers sent by the console), so both run the real
 * DialogRuntime exactly as a call would, minus the audio.
 */
import type { DialogChannel, ListenResult } from '../dialog/index.js';

/** What the channel did, for whoever shows the chat (the CLI prints it). */
export type TextChannelAction =
  | { type: 'say'; text: string }
  | { type: 'transfer'; queue: string; reason: string }
  | { type: 'callback'; at: Date }
  | { type: 'hangup'; disposition: string };

/**
 * One typed line as the customer's answer: `#5` (or `#12*`) presses keys, an empty line is
 * silence (no_input), anything else is what the customer said.
 */
export function parseChatLine(line: string): ListenResult {
  const text = line.trim();
  if (text === '') return { kind: 'no_input' };
  if (/^#[0-9*#]+$/.test(text)) return { kind: 'dtmf', digits: text.slice(1) };
  return { kind: 'text', text };
}

export class TextChannel implements DialogChannel {
  /**
   * @param input the customer's next answer (the chat waits as long as it takes: a typed chat has
   *   no no-input timer, silence is an explicit answer)
   * @param onAction told about every prompt, transfer, callback and hang-up
   */
  constructor(
    private readonly input: () => Promise<ListenResult>,
    private readonly onAction: (action: TextChannelAction) => void = () => {},
  ) {}

  async say(text: string): Promise<{ completed: boolean }> {
    this.onAction({ type: 'say', text });
    return { completed: true };
  }

  listen(): Promise<ListenResult> {
    return this.input();
  }

  async transfer(queue: string, reason: string): Promise<void> {
    this.onAction({ type: 'transfer', queue, reason });
  }

  async scheduleCallback(at: Date): Promise<void> {
    this.onAction({ type: 'callback', at });
  }

  async hangup(disposition: string): Promise<void> {
    this.onAction({ type: 'hangup', disposition });
  }
}
