/**
 * The dialog's seams: the channel a call is driven through (audio call, typed test chat, fake),
 * the contact it runs for, the events it emits for the transcript, and its outcome.
 */
import type { Entities } from '../nlu/index.js';
import type { Literal, NodeKind } from './schema.js';
import type { PromptPart } from './template.js';

export interface SayOptions {
  /** Customer speech may cut the prompt. */
  bargeIn: boolean;
  /**
   * The text was filled in from {variables} (the contact's name, an amount): personal data. A
   * channel that caches rendered audio keeps it in memory for this call only, never on disk.
   */
  personal?: boolean;
  /**
   * A personal prompt of more than one sentence, in parts (see promptParts): a channel that
   * renders audio may start the first while it renders the rest, and render the parts without
   * contact data like static prompts. Their texts together are `text`.
   */
  parts?: PromptPart[];
  /** Aborted when the run is cancelled; the channel should stop playing. */
  signal?: AbortSignal;
}

export interface ListenOptions {
  /** How long to wait for the customer to start answering before `no_input`. */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * What the answer is expected to be. `confirmation`: a yes or no to "Just to check: …, is that
   * right?", so a speech channel hears it with the common-answer library's affirm/deny model and
   * answers `intent: 'affirm' | 'deny'` (or no_match); `digits`: keys for a collect node (a speech
   * channel answers with each key as it comes and does not wait out the customer's speech);
   * absent: an answer to the node's question.
   */
  expect?: 'confirmation' | 'digits';
}

export type ListenResult =
  | {
      kind: 'text';
      text: string;
      /** Recognizer confidence 0..1, when the text came from speech. */
      confidence?: number;
      /** The intent a speech recognizer already decided (phrase recognizer); the text is then only for entities and the transcript. */
      intent?: string;
      /**
       * The recognizer's score for `intent` fell between its accept and reject thresholds: the
       * dialog confirms it before acting on it (unless the node says `confirm: never`).
       */
      uncertain?: boolean;
    }
  | { kind: 'dtmf'; digits: string }
  /** Speech the recognizer could not place among the expected answers. */
  | { kind: 'no_match'; confidence: number; best?: { intent: string; confidence: number } }
  | { kind: 'no_input' };

/** What the dialog drives: the audio call, the typed test chat, or a scripted fake in tests. */
export interface DialogChannel {
  /** Says a prompt; resolves when it finished (`completed`) or was cut by barge-in (`completed: false`). */
  say(text: string, options: SayOptions): Promise<{ completed: boolean }>;
  /** Waits for the customer's answer. */
  listen(options: ListenOptions): Promise<ListenResult>;
  /** Hands the call to an agent queue (the dialog ends). */
  transfer(queue: string, reason: string): Promise<void>;
  /** Asks the dialer for a new attempt at this instant. */
  scheduleCallback(at: Date): Promise<void>;
  /** Ends the call with a disposition code (the dialog ends). */
  hangup(disposition: string): Promise<void>;
  /**
   * A sensitive node's span starts (true) or ends (false): personal data is being keyed or said,
   * so a recording channel records silence on both sides meanwhile and shows the customer's input
   * (keys, speech) only masked. Channels that neither record nor show input may omit it.
   */
  sensitive?(active: boolean, nodeId: string): void;
}

/** The contact a call is for: its fields are the flow's variables ({name}, {amount}, …). */
export interface DialogContact {
  fields: Readonly<Record<string, Literal | undefined>>;
  /** IANA zone the customer's dates and times are meant in, e.g. 'Asia/Shanghai'. */
  timeZone: string;
}

/** A recognized answer of an ask node. */
export interface Answer {
  nodeId: string;
  input: 'text' | 'dtmf';
  text?: string;
  digits?: string;
  intent: string;
  /** 0..1; 1 for a DTMF key or an entity-only match. */
  confidence: number;
  /** How the intent was decided: the text classifier, a key, an entity in the text, or the speech recognizer. */
  matchedBy: 'classifier' | 'dtmf' | 'entity' | 'recognizer';
  entities: Entities;
}

interface EventBase {
  /** Wall-clock time of the event (ms since the epoch, from the runtime's clock). */
  atMs: number;
}

export type DialogEvent = EventBase &
  (
    | { type: 'node_entered'; nodeId: string; kind: NodeKind }
    | {
        type: 'prompt';
        nodeId: string;
        text: string;
        bargeIn: boolean;
        completed: boolean;
        missingVariables: string[];
      }
    | ({ type: 'answer' } & Answer)
    | { type: 'no_input'; nodeId: string; attempt: number; exhausted: boolean }
    | {
        type: 'no_match';
        nodeId: string;
        attempt: number;
        exhausted: boolean;
        input: 'text' | 'dtmf' | 'speech';
        text?: string;
        digits?: string;
        /** The classifier's best guess and its confidence (rejected). */
        best?: { intent: string; confidence: number };
      }
    | {
        /**
         * The bot asked "Just to check: …, is that right?" about `intent` and heard `text` (or
         * nothing). confirmed: the intent is taken (an `answer` event follows); denied, unclear:
         * the question is asked again, counted as a no-match attempt (no_input: as a no-input
         * attempt); `exhausted`: that was the last attempt, the node goes to its noMatch/noInput next.
         */
        type: 'confirmation';
        nodeId: string;
        intent: string;
        /** The confirmation question as said. */
        prompt: string;
        text?: string;
        result: ConfirmationResult;
        attempt?: number;
        exhausted?: boolean;
      }
    | { type: 'variable_set'; nodeId: string; name: string; value: Literal }
    | {
        /**
         * A collect node's attempt ended. `masked`: the digits as anyone may see them (never the
         * raw value, which only the node's variable holds); `count`: how many were keyed.
         */
        type: 'digits';
        nodeId: string;
        variable: string;
        result: DigitsResult;
        masked: string;
        count: number;
        /** How the input ended: the terminator key, max digits, a pause, or the overall limit. */
        endedBy: 'terminator' | 'max' | 'timeout' | 'max_time';
        attempt: number;
        exhausted: boolean;
      }
    | { type: 'transfer'; nodeId: string; queue: string; reason: string }
    | { type: 'callback'; nodeId: string; at: Date; iso: string; spoken: string }
    | {
        type: 'callback_unavailable';
        nodeId: string;
        reason: 'no_datetime' | 'too_soon' | 'too_late';
      }
    | {
        type: 'ended';
        reason: EndReason;
        disposition: string;
        nodeId: string | null;
        error?: string;
      }
  );

/** A collect node's attempt: digits accepted, keyed but too short or failing the check, none keyed. */
export type DigitsResult = 'collected' | 'invalid' | 'no_input';

export type ConfirmationResult = 'confirmed' | 'denied' | 'unclear' | 'no_input';

export type DialogListener = (event: DialogEvent) => void;

export type EndReason = 'hangup' | 'transfer' | 'cancelled' | 'error';

export interface DialogOutcome {
  reason: EndReason;
  /** The disposition code (from the hangup/transfer node; `cancelled` / `dialog_error` otherwise). */
  disposition: string;
  transfer?: { queue: string; reason: string };
  callbackAt?: Date;
  /** Node ids in the order they were entered. */
  path: string[];
  variables: Record<string, Literal>;
  error?: string;
}
