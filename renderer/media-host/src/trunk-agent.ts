/**
 * One JsSIP user agent per trunk: connects over WS/WSS, registers when asked, and reports its state
 * (connecting, connected, registering, registered, down with a reason). After the transport comes
 * back, live calls renegotiate so in-dialog requests find their way again (a proxy restart).
 */
import * as JsSIP from 'jssip';

import type { TrunkConfig } from '../../../electron/engine/api/media-host.js';
import { type SipMessageSummary, TappedWebSocket } from './sip-socket.js';

export type TrunkLinkState = 'connecting' | 'connected' | 'registering' | 'registered' | 'down';

export interface TrunkAgentHandlers {
  onState(state: TrunkLinkState, reason: string | null): void;
  onSipMessage(summary: SipMessageSummary): void;
  /** The transport came back after a drop: calls should renegotiate. */
  onReconnected(): void;
}

export class TrunkAgent {
  readonly ua: JsSIP.UA;
  private state: TrunkLinkState = 'connecting';
  private everConnected = false;
  private lastCloseReason: string | null = null;
  private stopped = false;

  constructor(
    readonly config: TrunkConfig,
    private readonly handlers: TrunkAgentHandlers,
  ) {
    const socket = new TappedWebSocket(config.uri, {
      onMessage: (summary) => handlers.onSipMessage(summary),
      onClose: (code, reason) => {
        this.lastCloseReason =
          code === undefined
            ? null
            : `WebSocket closed with code ${code}${reason ? ` (${reason})` : ''}`;
      },
    });
    const user = config.username ?? 'outbound';
    this.ua = new JsSIP.UA({
      sockets: [socket],
      uri: `sip:${user}@${config.domain}`,
      ...(config.password
        ? { password: config.password, authorization_user: config.username ?? user }
        : {}),
      register: config.register,
      display_name: config.callerId ?? undefined,
      user_agent: 'OutboundConsole',
      session_timers: false,
      // A dead trunk is retried quickly at first (a proxy restart), then backs off.
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 15,
    });
    this.ua.on('connecting', () =>
      this.set(this.everConnected ? 'connecting' : 'connecting', null),
    );
    this.ua.on('connected', () => {
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.set(config.register ? 'registering' : 'connected', null);
      if (reconnected) handlers.onReconnected();
    });
    this.ua.on('disconnected', () =>
      this.set('down', this.lastCloseReason ?? `cannot reach ${config.uri}`),
    );
    this.ua.on('registered', () => this.set('registered', null));
    this.ua.on('unregistered', () => {
      if (!this.stopped && this.ua.isConnected()) this.set('connected', 'unregistered');
    });
    this.ua.on(
      'registrationFailed',
      (event: { cause?: string; response?: { status_code?: number; reason_phrase?: string } }) => {
        const status = event.response?.status_code;
        const why = status
          ? `${status} ${event.response?.reason_phrase ?? ''}`.trim()
          : (event.cause ?? 'unknown');
        this.set(
          'down',
          `registration failed: ${why}${status === 401 || status === 403 || status === 407 ? ' (check the username and password)' : ''}`,
        );
      },
    );
    this.ua.start();
  }

  get linkState(): TrunkLinkState {
    return this.state;
  }

  isConnected(): boolean {
    return this.ua.isConnected();
  }

  /** Resolves when connected (and registered when registration is on), or after timeoutMs. */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    const ready = (): boolean =>
      this.state === 'registered' || (this.state === 'connected' && !this.config.register);
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const started = Date.now();
      const timer = setInterval(() => {
        // A refused connection shows as down at once: no point waiting out the timeout.
        if (ready() || this.stopped || this.state === 'down' || Date.now() - started > timeoutMs) {
          clearInterval(timer);
          resolve(ready());
        }
      }, 20);
    });
  }

  stop(): void {
    this.stopped = true;
    this.ua.stop();
  }

  private set(state: TrunkLinkState, reason: string | null): void {
    if (this.stopped) return;
    this.state = state;
    this.handlers.onState(state, reason);
  }
}
