/**
 * One outbound call in the media host: its JsSIP session, its audio graph and its RTP watch.
 * It reports every SIP/ICE/media milestone with a timestamp; the engine decides what they mean.
 */
import type * as JsSIP from 'jssip';
import type { DTMFOptions, RTCSession } from 'jssip/lib/RTCSession.js';

import type {
  CallMilestone,
  HostEventInput,
  RtpStats,
} from '../../../electron/engine/api/media-host.js';
import type { CallAudio } from './audio.js';

type Session = RTCSession;
type Milestone = HostEventInput<'call.milestone'>;

interface SipResponseLike {
  status_code?: number;
  reason_phrase?: string;
  body?: string | null;
  method?: string;
}

export interface CallLegOptions {
  callId: string;
  channel: number;
  trunkId: number;
  target: string;
  rtpTimeoutMs: number;
  extraHeaders: string[];
  audio: CallAudio;
  emit(milestone: Milestone): void;
  /** Just before the leg reports its end: the host sends the capture frames still in its ring. */
  beforeEnd?(leg: CallLeg): void;
  onClosed(leg: CallLeg): void;
}

/** RTP statistics: often until media flows (to report it soon), then every 2 s (getStats is not free). */
const STATS_FAST_MS = 250;
/** An answered call whose audio never starts (a refused media stream, ICE that fails) is given up after this. */
const MEDIA_START_TIMEOUT_MS = 5000;
const STATS_INTERVAL_MS = 2000;

export class CallLeg {
  readonly callId: string;
  readonly channel: number;
  readonly trunkId: number;
  readonly audio: CallAudio;
  /** The SIP Call-ID, known once the INVITE is built. */
  sipCallId: string | null = null;
  private session: Session | null = null;
  private answered = false;
  private ended = false;
  private held = false;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPackets = 0;
  private answeredAt = 0;
  private lastPacketsAt = 0;
  private mediaFlowing = false;
  private timedOut = false;
  private lastStats: RtpStats | null = null;
  private hangupReason: string | null = null;
  /** Removes this leg's listeners from the peer connection once the call has ended. */
  private readonly detach = new AbortController();

  constructor(private readonly options: CallLegOptions) {
    this.callId = options.callId;
    this.channel = options.channel;
    this.trunkId = options.trunkId;
    this.audio = options.audio;
  }

  get isAnswered(): boolean {
    return this.answered;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  start(ua: JsSIP.UA, callerId: string | null): void {
    const session = ua.call(this.options.target, {
      mediaStream: this.audio.outgoingStream,
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [], rtcpMuxPolicy: 'require' },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      extraHeaders: this.options.extraHeaders,
      ...(callerId ? { fromUserName: callerId } : {}),
      sessionTimersExpires: 120,
    });
    this.session = session;
    // JsSIP creates the peer connection (and emits "peerconnection") inside call(), before any
    // listener can be added: watch it directly.
    if (session.connection) this.watchPeerConnection(session.connection);
    this.wire(session);
  }

  /** A SIP message on the trunk that belongs to this call (from the socket tap). */
  onSipMessage(status: number | null, reason: string | null, cseqMethod: string | null): void {
    if (status === 100 && cseqMethod === 'INVITE' && !this.answered)
      this.milestone('trying', { sipCode: 100, sipReason: reason });
  }

  hangup(reason: string | undefined): void {
    if (this.ended || !this.session) return;
    this.hangupReason = reason ?? null;
    try {
      this.session.terminate(this.answered ? {} : { status_code: 487, cause: 'Canceled' });
    } catch (error) {
      // Already terminated from the other side in the same tick: the ended/failed event follows.
      console.warn('terminate failed', error);
    }
  }

  sendDtmf(tones: string, transport: 'rfc4733' | 'info'): 'rfc4733' | 'info' {
    const session = this.requireAnswered();
    let used = transport;
    if (transport === 'rfc4733') {
      const sender = session.connection?.getSenders().find((s) => s.track?.kind === 'audio');
      if (!sender?.dtmf?.canInsertDTMF) used = 'info'; // no telephone-event negotiated: fall back
    }
    session.sendDTMF(tones, {
      // JsSIP declares its transports as an ambient enum; the strings are its values.
      transportType: (used === 'rfc4733' ? 'RFC2833' : 'INFO') as DTMFOptions['transportType'],
      duration: 100,
      interToneGap: 70,
    });
    this.milestone('dtmf_out', {
      detail: `${tones} (${used === 'rfc4733' ? 'RFC 4733' : 'SIP INFO'})`,
    });
    return used;
  }

  hold(hold: boolean): Promise<boolean> {
    const session = this.requireAnswered();
    return new Promise((resolve) => {
      const started = hold
        ? session.hold({}, () => resolve(true))
        : session.unhold({}, () => resolve(true));
      if (!started) resolve(false);
    });
  }

  refer(target: string): void {
    this.sendRefer(target, () => undefined);
  }

  /**
   * A REFER to another seat's line (issue 16 §3): resolves with the time until the far end's
   * NOTIFY reported 2xx (the customer talks to that seat now); rejects, saying why, when the REFER
   * is refused, a NOTIFY reports a failure, or nothing final arrives within `timeoutMs`.
   */
  referSeat(target: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => settle(`no final NOTIFY within ${timeoutMs} ms`), timeoutMs);
      const settle = (failure: string | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (failure === null) resolve(Date.now() - started);
        else reject(new Error(failure));
      };
      try {
        this.sendRefer(target, settle);
      } catch (error) {
        settle(
          `the REFER could not be sent: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  }

  /** Sends a REFER; `final(null)` on NOTIFY 2xx, `final(why)` on a refusal or a failure NOTIFY. */
  private sendRefer(target: string, final: (failure: string | null) => void): void {
    const session = this.requireAnswered();
    const report = (detail: string, sipCode: number | null = null): void =>
      this.milestone('refer', { detail, sipCode });
    session.refer(target, {
      eventHandlers: {
        requestSucceeded: (e: { response?: SipResponseLike }) =>
          report('accepted by the far end', e.response?.status_code ?? 202),
        requestFailed: (e: { response?: SipResponseLike; cause?: string }) => {
          const why = `refused: ${e.response?.status_code ?? ''} ${e.response?.reason_phrase ?? e.cause ?? 'unknown'}`;
          report(why.replace('  ', ' '), e.response?.status_code ?? null);
          final(`the REFER was ${why.replace('  ', ' ')}`);
        },
        trying: (e: { status_line?: { status_code?: number; reason_phrase?: string } }) =>
          report(
            `NOTIFY ${e.status_line?.status_code ?? 100} ${e.status_line?.reason_phrase ?? ''}`.trim(),
            e.status_line?.status_code ?? 100,
          ),
        progress: (e: { status_line?: { status_code?: number; reason_phrase?: string } }) =>
          report(
            `NOTIFY ${e.status_line?.status_code ?? 180} ${e.status_line?.reason_phrase ?? ''}`.trim(),
            e.status_line?.status_code ?? null,
          ),
        accepted: (e: { status_line?: { status_code?: number; reason_phrase?: string } }) => {
          report(
            `transfer succeeded: NOTIFY ${e.status_line?.status_code ?? 200}`,
            e.status_line?.status_code ?? 200,
          );
          final(null);
        },
        failed: (e: { status_line?: { status_code?: number; reason_phrase?: string } }) => {
          const why =
            `NOTIFY ${e.status_line?.status_code ?? ''} ${e.status_line?.reason_phrase ?? ''}`.trim();
          report(`transfer failed: ${why}`, e.status_line?.status_code ?? null);
          final(`the far end reported the transfer failed (${why})`);
        },
      },
    });
  }

  /**
   * An incoming session another seat's REFER sent here (the customer of that seat's call): it
   * becomes this call's leg and is answered with the call's outgoing audio.
   */
  adopt(session: Session): void {
    this.session = session;
    session.on('peerconnection', ({ peerconnection }: { peerconnection: RTCPeerConnection }) =>
      this.watchPeerConnection(peerconnection),
    );
    this.wire(session);
    session.answer({
      mediaStream: this.audio.outgoingStream,
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [], rtcpMuxPolicy: 'require' },
    });
  }

  /** After the trunk's transport came back: re-INVITE so in-dialog requests use the new connection. */
  renegotiate(): void {
    if (!this.session || !this.answered || this.ended) return;
    const started = this.session.renegotiate(
      { rtcOfferConstraints: { offerToReceiveAudio: true } },
      () => this.milestone('renegotiated', { detail: 'after the trunk reconnected' }),
    );
    if (!started)
      this.milestone('renegotiated', {
        detail: 'could not start (another negotiation in progress)',
      });
  }

  private requireAnswered(): Session {
    if (!this.session || !this.answered || this.ended)
      throw new Error(`call ${this.callId} is not up`);
    return this.session;
  }

  private wire(session: Session): void {
    session.on('sending', ({ request }) => {
      this.sipCallId = (request as unknown as { call_id?: string }).call_id ?? null;
      this.milestone('sending', {});
    });
    session.on('progress', (event: unknown) => {
      const response = (event as { response?: SipResponseLike }).response;
      const code = response?.status_code ?? null;
      const early = code === 183 || (code !== null && code > 100 && Boolean(response?.body));
      this.milestone(early ? 'early_media' : 'ringing', {
        sipCode: code,
        sipReason: response?.reason_phrase ?? null,
      });
    });
    session.on('accepted', (event: unknown) => {
      this.answered = true;
      const response = (event as { response?: SipResponseLike }).response;
      this.milestone('answered', {
        sipCode: response?.status_code ?? 200,
        sipReason: response?.reason_phrase ?? null,
      });
      this.lastPacketsAt = Date.now();
      this.answeredAt = this.lastPacketsAt;
      this.startStats();
    });
    session.on('confirmed', () => this.milestone('confirmed', {}));
    session.on('failed', (event) => this.finish('failed', event));
    session.on('ended', (event) => this.finish('ended', event));
    session.on('newDTMF', (event: { originator: string; dtmf: { tone: string } }) => {
      if (event.originator === 'remote') this.milestone('dtmf_in', { detail: event.dtmf.tone });
    });
    session.on('hold', (event) => {
      this.held = true;
      this.milestone('hold', { originator: event.originator === 'remote' ? 'remote' : 'local' });
    });
    session.on('unhold', (event) => {
      this.held = false;
      this.lastPacketsAt = Date.now();
      this.milestone('unhold', { originator: event.originator === 'remote' ? 'remote' : 'local' });
    });
  }

  private watchPeerConnection(pc: RTCPeerConnection): void {
    const { signal } = this.detach;
    pc.addEventListener(
      'track',
      (event) => {
        if (event.track.kind === 'audio') this.audio.attachRemote(event.track);
      },
      { signal },
    );
    pc.addEventListener(
      'iceconnectionstatechange',
      () => this.milestone('ice', { detail: pc.iceConnectionState }),
      { signal },
    );
  }

  private startStats(): void {
    const poll = (): void => {
      void this.pollStats().finally(() => {
        if (!this.ended)
          this.statsTimer = setTimeout(poll, this.mediaFlowing ? STATS_INTERVAL_MS : STATS_FAST_MS);
      });
    };
    poll();
  }

  private async pollStats(): Promise<void> {
    const pc = this.session?.connection;
    if (!pc || this.ended) return;
    let stats: RtpStats;
    try {
      stats = readRtpStats(await pc.getStats());
    } catch {
      return;
    }
    this.lastStats = stats;
    const now = Date.now();
    if (stats.packetsReceived !== this.lastPackets) {
      this.lastPackets = stats.packetsReceived;
      this.lastPacketsAt = now;
      if (!this.mediaFlowing) {
        this.mediaFlowing = true;
        this.milestone('media_flowing', { stats });
      } else if (this.timedOut) {
        this.timedOut = false;
        this.milestone('media_resumed', { stats });
      }
      return;
    }
    if (!this.mediaFlowing && !this.timedOut && now - this.answeredAt >= MEDIA_START_TIMEOUT_MS) {
      this.timedOut = true;
      const ice = this.session?.connection?.iceConnectionState ?? 'unknown';
      this.milestone('media_timeout', {
        stats,
        detail: `no audio arrived within ${MEDIA_START_TIMEOUT_MS / 1000} s of the answer (ICE ${ice})`,
      });
      return;
    }
    if (!this.held && !this.timedOut && now - this.lastPacketsAt >= this.options.rtpTimeoutMs) {
      this.timedOut = true;
      this.milestone('media_timeout', {
        stats,
        detail: `no RTP received for ${now - this.lastPacketsAt} ms`,
      });
    }
  }

  private finish(
    kind: 'failed' | 'ended',
    event: { originator: string; cause: string; message?: unknown },
  ): void {
    if (this.ended) return;
    this.ended = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    const message = event.message as (SipResponseLike & { method?: string }) | undefined;
    // A response carries the status; a request (BYE, CANCEL) means the far end ended it normally.
    const sipCode = message?.status_code ?? null;
    const originator =
      event.originator === 'remote' ? 'remote' : event.originator === 'local' ? 'local' : 'system';
    // The audio up to now goes out before the end: the engine finishes the recording on it.
    this.options.beforeEnd?.(this);
    this.milestone(kind, {
      sipCode,
      sipReason: message?.reason_phrase ?? null,
      originator,
      detail:
        this.hangupReason && originator === 'local'
          ? `${event.cause}: ${this.hangupReason}`
          : event.cause,
      stats: this.lastStats,
    });
    this.audio.close();
    this.options.onClosed(this);
    // JsSIP keeps an ended session (and its closed peer connection) for up to 32 s, until its
    // transactions' timers run out (RFC 6026's Timer M): let it not keep this leg and its audio.
    this.detach.abort();
    this.session?.removeAllListeners();
  }

  private milestone(
    milestone: CallMilestone,
    fields: Partial<Omit<Milestone, 'callId' | 'milestone' | 'at'>>,
  ): void {
    this.options.emit({ callId: this.callId, milestone, at: Date.now(), ...fields });
  }
}

function readRtpStats(report: RTCStatsReport): RtpStats {
  const stats: RtpStats = {
    packetsReceived: 0,
    packetsSent: 0,
    packetsLost: 0,
    jitterMs: 0,
    roundTripMs: null,
  };
  report.forEach((entry: Record<string, unknown>) => {
    if (entry.kind !== 'audio' && entry.mediaType !== 'audio') return;
    if (entry.type === 'inbound-rtp') {
      stats.packetsReceived += Number(entry.packetsReceived ?? 0);
      stats.packetsLost += Number(entry.packetsLost ?? 0);
      stats.jitterMs = Math.round(Number(entry.jitter ?? 0) * 1000);
    } else if (entry.type === 'outbound-rtp') {
      stats.packetsSent += Number(entry.packetsSent ?? 0);
    } else if (entry.type === 'remote-inbound-rtp' && typeof entry.roundTripTime === 'number') {
      stats.roundTripMs = Math.round(entry.roundTripTime * 1000);
    }
  });
  return stats;
}
