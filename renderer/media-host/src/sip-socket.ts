/**
 * JsSIP's WebSocket with a tap: JsSIP emits no event for "100 Trying" and hides the transport's
 * close code, so this socket reports each SIP message's start line and Call-ID, and the close
 * code and reason, to the trunk that owns it.
 */
import * as JsSIP from 'jssip';

export interface SipMessageSummary {
  direction: 'in' | 'out';
  /** "INVITE", "BYE", … for requests; null for responses. */
  method: string | null;
  /** The status code for responses; null for requests. */
  status: number | null;
  reason: string | null;
  callId: string | null;
  /** CSeq method, for responses ("INVITE" for a 100 Trying to our INVITE). */
  cseqMethod: string | null;
}

export interface SocketTap {
  onMessage(summary: SipMessageSummary): void;
  onClose(code: number | undefined, reason: string | undefined): void;
}

type SocketInternals = {
  _onMessage(event: { data: unknown }): void;
  _onClose(event: { wasClean: boolean; code: number; reason: string }): void;
};
const base = JsSIP.WebSocketInterface.prototype as unknown as SocketInternals;

export function summarize(text: string, direction: 'in' | 'out'): SipMessageSummary | null {
  const end = text.indexOf('\r\n');
  const first = end < 0 ? text : text.slice(0, end);
  const callId = /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1] ?? null;
  const cseqMethod = /^CSeq[ \t]*:[ \t]*\d+[ \t]+([A-Z]+)/im.exec(text)?.[1] ?? null;
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(first);
  if (response)
    return {
      direction,
      method: null,
      status: Number(response[1]),
      reason: response[2] || null,
      callId,
      cseqMethod,
    };
  const request = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(first);
  if (request)
    return {
      direction,
      method: request[1] ?? null,
      status: null,
      reason: null,
      callId,
      cseqMethod,
    };
  return null;
}

export class TappedWebSocket extends JsSIP.WebSocketInterface {
  constructor(
    url: string,
    private readonly tap: SocketTap,
  ) {
    super(url);
  }

  _onMessage(event: { data: unknown }): void {
    if (typeof event.data === 'string') {
      const summary = summarize(event.data, 'in');
      if (summary) this.tap.onMessage(summary);
    }
    base._onMessage.call(this, event);
  }

  _onClose(event: { wasClean: boolean; code: number; reason: string }): void {
    this.tap.onClose(event.code, event.reason);
    base._onClose.call(this, event);
  }

  override send(message: string | ArrayBufferLike | Blob | ArrayBufferView): boolean {
    if (typeof message === 'string') {
      const summary = summarize(message, 'out');
      if (summary) this.tap.onMessage(summary);
    }
    return super.send(message);
  }
}
