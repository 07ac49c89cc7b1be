/**
 * The media host: executes the engine's commands (trunks, dial, hang up, DTMF, hold, refer, flush),
 * owns the trunks' user agents and the calls, and streams each call's audio both ways.
 */
import type { output as ZodOutput } from 'zod';

import {
  CAPTURE_FRAME_MAX_BYTES,
  CAPTURE_RIGHT_MIXED,
  CAPTURE_RUN_BYTES,
  captureFrameBytes,
  FRAME_HEADER_BYTES,
  FRAME_KIND,
  HostCommandMessage,
  type HostCommandName,
  type HostCommandResult,
  hostCommands,
  type HostEventInput,
  type HostEventName,
  type HostReplyMessage,
  isHostCommandName,
  PLAYBACK_FRAME_BYTES,
  readFrameHeader,
  SAMPLES_PER_FRAME,
  writeFrameHeader,
  writeRun,
} from '../../../electron/engine/api/media-host.js';
import type { AudioEngine } from './audio.js';
import { type PlayoutCounts } from './audio.js';
import { CallLeg } from './call-leg.js';
import type { EngineLink } from './link.js';
import {
  CALL_HEADER,
  dialSeatLeg,
  ROLE_HEADER,
  SeatLine,
  type SeatRole,
  type Transferred,
} from './seat-leg.js';
import { TrunkAgent } from './trunk-agent.js';

class HostError extends Error {
  constructor(
    readonly code:
      | 'BAD_COMMAND'
      | 'NO_SUCH_CALL'
      | 'NO_SUCH_TRUNK'
      | 'TRUNK_DOWN'
      | 'CALL_STATE'
      | 'MEDIA'
      | 'INTERNAL',
    message: string,
  ) {
    super(message);
  }
}

const MAX_CAPTURE_BATCH = 64;
const PUMP_MS = 20;
/** Player counts go to the engine every 60 ms; it extrapolates between reports. */
const REPORT_EVERY_TICKS = 3;
/** The page's link statistics go to the engine once a second. */
const STATS_EVERY_TICKS = 50;

/** How long a dial waits for a trunk that is still connecting before calling it down. */
const TRUNK_READY_TIMEOUT_MS = 3000;

export class MediaHost {
  private readonly trunks = new Map<number, TrunkAgent>();
  private readonly calls = new Map<string, CallLeg>();
  private readonly byChannel = new Map<number, CallLeg>();
  /** This seat's line (seat.line), answering other seats' legs for its agents and supervisors. */
  private seatLine: SeatLine | null = null;
  /** Legs this host placed to other seats for its calls, by role/callId. */
  private readonly seatLegs = new Map<string, { terminate(): void }>();
  private ticks = 0;
  private readonly lastReported = new Map<string, PlayoutCounts>();
  /** Capture frames of one tick, back to back; reused every tick (the link copies what it sends). */
  private readonly captureBatch = new Uint8Array(CAPTURE_FRAME_MAX_BYTES * MAX_CAPTURE_BATCH);
  private readonly captureView = new DataView(this.captureBatch.buffer);
  /** Since the last link.stats: the pump's longest gap, deepest capture ring and socket buffer. */
  private lastPumpAt = 0;
  private pumpGapMaxMs = 0;
  private captureBacklogMax = 0;
  private sendBufferedMax = 0;
  private playbackBufferedMax = 0;
  /** Counts of calls that have ended, so the totals only grow. */
  private endedOverruns = 0;
  private endedRingDrops = 0;

  constructor(
    private readonly link: EngineLink,
    private readonly audio: AudioEngine,
  ) {
    link.onText((text) => void this.receive(text));
    link.onBinary((buffer) => this.receiveAudio(buffer));
    setInterval(() => this.pump(), PUMP_MS);
    link.onClose(() => {
      // Without the engine nobody drives these calls: end them (the engine records why).
      for (const leg of this.calls.values()) leg.hangup('media host lost the engine');
    });
  }

  announce(): void {
    this.emit('host.ready', {
      userAgent: navigator.userAgent,
      sampleRate: this.audio.sampleRate,
      at: Date.now(),
    });
  }

  private emit<E extends HostEventName>(event: E, data: HostEventInput<E>): void {
    this.link.sendText(JSON.stringify({ type: 'event', event, data }));
  }

  private async receive(text: string): Promise<void> {
    let message: HostCommandMessage;
    try {
      message = HostCommandMessage.parse(JSON.parse(text));
    } catch (error) {
      this.emit('host.error', {
        message: `Unreadable command from the engine: ${String(error)}`,
        at: Date.now(),
      });
      return;
    }
    let reply: HostReplyMessage;
    try {
      const result = await this.run(message.command, message.params);
      reply = { type: 'reply', id: message.id, ok: true, result };
    } catch (error) {
      const code = error instanceof HostError ? error.code : 'INTERNAL';
      reply = {
        type: 'reply',
        id: message.id,
        ok: false,
        error: { code, message: error instanceof Error ? error.message : String(error) },
      };
    }
    this.link.sendText(JSON.stringify(reply));
  }

  private async run(command: string, rawParams: unknown): Promise<unknown> {
    if (!isHostCommandName(command))
      throw new HostError('BAD_COMMAND', `Unknown command "${command}"`);
    const parsed = hostCommands[command].params.safeParse(rawParams);
    if (!parsed.success)
      throw new HostError('BAD_COMMAND', `Bad parameters for ${command}: ${parsed.error.message}`);
    return this.execute(command, parsed.data as never);
  }

  private async execute<C extends HostCommandName>(
    command: C,
    params: never,
  ): Promise<HostCommandResult<C>> {
    type P<K extends HostCommandName> = ZodOutput<(typeof hostCommands)[K]['params']>;
    switch (command) {
      case 'trunk.configure': {
        const config = params as P<'trunk.configure'>;
        this.trunks.get(config.trunkId)?.stop();
        const agent = new TrunkAgent(config, {
          onState: (state, reason) =>
            this.emit('trunk.state', { trunkId: config.trunkId, state, reason, at: Date.now() }),
          onSipMessage: (summary) => {
            if (!summary.callId || summary.direction !== 'in') return;
            for (const leg of this.calls.values()) {
              if (leg.sipCallId === summary.callId)
                leg.onSipMessage(summary.status, summary.reason, summary.cseqMethod);
            }
          },
          onReconnected: () => {
            for (const leg of this.calls.values())
              if (leg.trunkId === config.trunkId) leg.renegotiate();
          },
        });
        this.trunks.set(config.trunkId, agent);
        return { connected: agent.isConnected() } as HostCommandResult<C>;
      }
      case 'trunk.remove': {
        const { trunkId } = params as P<'trunk.remove'>;
        this.trunks.get(trunkId)?.stop();
        this.trunks.delete(trunkId);
        return {} as HostCommandResult<C>;
      }
      case 'call.dial': {
        const p = params as P<'call.dial'>;
        const agent = this.trunks.get(p.trunkId);
        if (!agent)
          throw new HostError(
            'NO_SUCH_TRUNK',
            `Trunk ${p.trunkId} is not configured in the media host`,
          );
        if (this.calls.has(p.callId))
          throw new HostError('CALL_STATE', `Call ${p.callId} already exists`);
        // JsSIP reports a drop just before dialing as "Canceled", like our own cancel: look first.
        if (!agent.isConnected() && !(await agent.waitUntilReady(TRUNK_READY_TIMEOUT_MS))) {
          throw new HostError(
            'TRUNK_DOWN',
            `Trunk "${agent.config.name}" is not connected (${agent.config.uri})`,
          );
        }
        const leg = new CallLeg({
          ...p,
          audio: this.audio.createCallAudio(),
          emit: (milestone) => this.emit('call.milestone', milestone),
          beforeEnd: (ending) => this.sendCapture([ending], Date.now()),
          onClosed: (closed) => this.legClosed(closed),
        });
        this.calls.set(p.callId, leg);
        this.byChannel.set(p.channel, leg);
        try {
          leg.start(agent.ua, agent.config.callerId);
        } catch (error) {
          this.calls.delete(p.callId);
          this.byChannel.delete(p.channel);
          leg.audio.close();
          throw new HostError(
            'MEDIA',
            `Could not start the call: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        return {} as HostCommandResult<C>;
      }
      case 'call.hangup': {
        const { callId, reason } = params as P<'call.hangup'>;
        this.requireCall(callId).hangup(reason);
        return {} as HostCommandResult<C>;
      }
      case 'call.dtmf': {
        const { callId, tones, transport } = params as P<'call.dtmf'>;
        this.guard(() => this.requireCall(callId).sendDtmf(tones, transport));
        return {} as HostCommandResult<C>;
      }
      case 'call.hold': {
        const { callId, hold } = params as P<'call.hold'>;
        const leg = this.requireCall(callId);
        const done = await this.guardAsync(() => leg.hold(hold));
        return { done } as HostCommandResult<C>;
      }
      case 'call.refer': {
        const { callId, target } = params as P<'call.refer'>;
        this.guard(() => this.requireCall(callId).refer(target));
        return {} as HostCommandResult<C>;
      }
      case 'call.referSeat': {
        const { callId, target, timeoutMs } = params as P<'call.referSeat'>;
        const leg = this.requireCall(callId);
        let afterMs: number;
        try {
          afterMs = await leg.referSeat(target, timeoutMs);
        } catch (error) {
          throw new HostError('CALL_STATE', error instanceof Error ? error.message : String(error));
        }
        // The customer talks to the other seat now: this host leaves the media path.
        leg.hangup(`transferred by REFER to ${target.split(';')[0] ?? target}`);
        return { afterMs } as HostCommandResult<C>;
      }
      case 'call.flush': {
        const { callId } = params as P<'call.flush'>;
        this.requireCall(callId).audio.flush();
        return {} as HostCommandResult<C>; // what was dropped comes in the next call.playout
      }
      case 'call.takeover': {
        const p = params as P<'call.takeover'>;
        const leg = this.requireCall(p.callId);
        if (!leg.isAnswered || leg.isEnded)
          throw new HostError('CALL_STATE', `Call ${p.callId} is not up`);
        if (p.remote) {
          const person = await this.dialSeat(leg, 'agent', p.remote);
          try {
            return (await leg.audio.takeOver(p, person)) as HostCommandResult<C>;
          } catch (error) {
            this.seatLegs.get(`agent/${p.callId}`)?.terminate();
            throw new HostError('MEDIA', `The agent's seat leg could not join: ${String(error)}`);
          }
        }
        try {
          return (await leg.audio.takeOver(p)) as HostCommandResult<C>;
        } catch (error) {
          throw new HostError(
            'MEDIA',
            `The agent's microphone could not be started: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
          );
        }
      }
      case 'call.agentMute': {
        const { callId, muted } = params as P<'call.agentMute'>;
        this.guard(() => this.requireCall(callId).audio.muteAgent(muted));
        return {} as HostCommandResult<C>;
      }
      case 'call.supervise': {
        const p = params as P<'call.supervise'>;
        const leg = this.requireCall(p.callId);
        if (!leg.isAnswered || leg.isEnded)
          throw new HostError('CALL_STATE', `Call ${p.callId} is not up`);
        if (p.mode === 'whisper' && !leg.audio.hasAgent)
          throw new HostError('CALL_STATE', `Call ${p.callId} has no agent to whisper to`);
        if (p.remote && leg.audio.supervisionMode === null) {
          const person = await this.dialSeat(leg, 'supervisor', p.remote);
          try {
            return (await leg.audio.supervise(p, person)) as HostCommandResult<C>;
          } catch (error) {
            this.seatLegs.get(`supervisor/${p.callId}`)?.terminate();
            throw new HostError(
              'MEDIA',
              `The supervisor's seat leg could not join: ${String(error)}`,
            );
          }
        }
        try {
          return (await leg.audio.supervise(p)) as HostCommandResult<C>;
        } catch (error) {
          throw new HostError(
            'MEDIA',
            `The supervisor's microphone could not be started: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
          );
        }
      }
      case 'call.unsupervise': {
        const { callId } = params as P<'call.unsupervise'>;
        this.requireCall(callId).audio.unsupervise();
        this.seatLegs.get(`supervisor/${callId}`)?.terminate();
        return {} as HostCommandResult<C>;
      }
      case 'seat.line': {
        const config = params as P<'seat.line'>;
        this.seatLine?.stop();
        const line = new SeatLine(config, {
          onState: (state, reason) =>
            this.emit('seat.lineState', { state, reason, at: Date.now() }),
          onLeg: (event) => this.emit('seat.leg', { ...event, side: 'person', at: Date.now() }),
          onTransferred: (call) => this.adoptCall(call),
        });
        this.seatLine = line;
        return {
          registered: await line.waitUntilReady(TRUNK_READY_TIMEOUT_MS),
        } as HostCommandResult<C>;
      }
      case 'seat.expect': {
        const p = params as P<'seat.expect'>;
        if (!this.seatLine)
          throw new HostError('CALL_STATE', 'This seat has no line on the PBX (seat.line)');
        this.seatLine.expect(p.callId, p.role, p);
        return {} as HostCommandResult<C>;
      }
      case 'seat.release': {
        const { callId, role } = params as P<'seat.release'>;
        this.seatLine?.release(callId, role);
        this.seatLegs.get(`${role}/${callId}`)?.terminate();
        return {} as HostCommandResult<C>;
      }
      case 'devices.list':
        return (await listAudioDevices()) as HostCommandResult<C>;
      default:
        throw new HostError('BAD_COMMAND', `Unhandled command "${String(command)}"`);
    }
  }

  /**
   * Sends the capture frames the worklets wrote for `legs` since the last drain (frames back to
   * back, in messages of up to MAX_CAPTURE_BATCH). Called by the pump, and by a leg just before
   * it reports its end: the ring can hold seconds of audio when this page was starved, and
   * closing the leg's audio without draining it lost that tail (the soak's calls around a
   * Kamailio restart recorded 1-2 s less than they lasted).
   */
  private sendCapture(legs: Iterable<CallLeg>, now: number): void {
    let count = 0;
    let offset = 0;
    const batch = this.captureBatch;
    const view = this.captureView;
    for (const leg of legs) {
      const waiting = leg.audio.drainCapture((frame) => {
        // Straight into the one reused batch buffer: allocating per frame (or per tick) cost this
        // page more than the rest of its work together on a VM where every fresh page faults slowly.
        const bytes = frame.mixed ? CAPTURE_FRAME_MAX_BYTES : captureFrameBytes(frame.runCount);
        // When the frame's last sample was captured (the newest just now, each older one 20 ms
        // before): the engine's capture delay counts the time it waited here too.
        const timestampMs = now - frame.age * PUMP_MS;
        writeFrameHeader(
          view,
          {
            kind: FRAME_KIND.capture,
            flags: frame.mixed ? CAPTURE_RIGHT_MIXED : frame.runCount << 4,
            bytes,
            channel: leg.channel,
            seq: frame.seq,
            timestampMs,
          },
          offset,
        );
        const body = offset + FRAME_HEADER_BYTES;
        batch.set(frame.left, body);
        if (frame.mixed) batch.set(frame.right, body + SAMPLES_PER_FRAME);
        else
          for (let r = 0; r < frame.runCount; r++)
            writeRun(view, body + SAMPLES_PER_FRAME + r * CAPTURE_RUN_BYTES, {
              at: frame.runs[r * 4]!,
              length: frame.runs[r * 4 + 1]!,
              seq: frame.runs[r * 4 + 2]!,
              from: frame.runs[r * 4 + 3]!,
            });
        offset += bytes;
        if (++count === MAX_CAPTURE_BATCH) {
          this.send(batch.subarray(0, offset));
          count = 0;
          offset = 0;
        }
      });
      if (waiting > this.captureBacklogMax) this.captureBacklogMax = waiting;
    }
    if (count > 0) this.send(batch.subarray(0, offset));
  }

  /**
   * Every 20 ms, for every call: take the capture frames the worklets wrote and send them as one
   * message (frames back to back); every third tick, report each player's counts in one event.
   * Audio crosses into this page through shared rings, so this timer is the only per-frame work.
   */
  private pump(): void {
    const now = Date.now();
    const tickAt = performance.now();
    if (this.lastPumpAt > 0)
      this.pumpGapMaxMs = Math.max(this.pumpGapMaxMs, tickAt - this.lastPumpAt);
    this.lastPumpAt = tickAt;
    this.sendCapture(this.calls.values(), now);
    ++this.ticks;
    if (this.ticks % STATS_EVERY_TICKS === 0) this.reportStats(now);
    if (this.ticks % REPORT_EVERY_TICKS !== 0) return;
    const reports = [];
    for (const leg of this.calls.values()) {
      const counts = leg.audio.playout();
      if (counts.bufferedFrames > this.playbackBufferedMax)
        this.playbackBufferedMax = counts.bufferedFrames;
      const last = this.lastReported.get(leg.callId);
      if (
        last &&
        last.playedFrames === counts.playedFrames &&
        last.droppedFrames === counts.droppedFrames &&
        last.underruns === counts.underruns
      )
        continue;
      this.lastReported.set(leg.callId, counts);
      reports.push({ callId: leg.callId, ...counts });
    }
    if (reports.length > 0) this.emit('calls.playout', { reports, at: now });
  }

  private send(view: Uint8Array<ArrayBuffer>): void {
    const buffered = this.link.bufferedBytes();
    if (buffered > this.sendBufferedMax) this.sendBufferedMax = buffered;
    this.link.sendBinary(view);
  }

  private reportStats(now: number): void {
    let overruns = this.endedOverruns;
    let ringDrops = this.endedRingDrops;
    for (const leg of this.calls.values()) {
      overruns += leg.audio.captureOverruns;
      ringDrops += leg.audio.ringDrops;
    }
    this.emit('link.stats', {
      at: now,
      calls: this.calls.size,
      pumpGapMaxMs: Math.round(this.pumpGapMaxMs),
      captureBacklogMaxFrames: this.captureBacklogMax,
      captureOverruns: overruns,
      sendBufferedMaxBytes: this.sendBufferedMax,
      playbackBufferedMaxFrames: this.playbackBufferedMax,
      playbackRingDrops: ringDrops,
    });
    this.pumpGapMaxMs = 0;
    this.captureBacklogMax = 0;
    this.sendBufferedMax = 0;
    this.playbackBufferedMax = 0;
  }

  /** One playback frame, or several back to back (the engine sends a tick's frames together). */
  private receiveAudio(buffer: ArrayBuffer): void {
    const view = new DataView(buffer);
    for (let offset = 0; offset + PLAYBACK_FRAME_BYTES <= buffer.byteLength;) {
      const header = readFrameHeader(view, offset);
      if (!header || header.kind !== FRAME_KIND.playback) return; // the rest cannot be framed
      const leg = this.byChannel.get(header.channel);
      if (leg && !leg.isEnded)
        leg.audio.play(
          header.seq,
          new Uint8Array(buffer, offset + FRAME_HEADER_BYTES, SAMPLES_PER_FRAME),
        );
      offset += header.bytes;
    }
  }

  /**
   * Places a seat leg for one of this host's calls on the call's trunk: what the person hears is
   * a fresh ear node of the call's graph; their voice is the leg's remote audio.
   */
  private async dialSeat(
    leg: CallLeg,
    role: SeatRole,
    remote: { target: string; extraHeaders: string[]; answerTimeoutMs: number },
  ): Promise<{ voice: MediaStream; ear: MediaStreamAudioDestinationNode }> {
    const agent = this.trunks.get(leg.trunkId);
    if (!agent) throw new HostError('NO_SUCH_TRUNK', `Trunk ${leg.trunkId} is gone`);
    const key = `${role}/${leg.callId}`;
    if (this.seatLegs.has(key))
      throw new HostError('CALL_STATE', `Call ${leg.callId} already has a ${role} seat leg`);
    const ear = leg.audio.seatEar();
    let placed;
    try {
      placed = await dialSeatLeg(
        agent.ua,
        remote.target,
        [`${CALL_HEADER}: ${leg.callId}`, `${ROLE_HEADER}: ${role}`, ...remote.extraHeaders],
        ear.stream,
        remote.answerTimeoutMs,
      );
    } catch (error) {
      for (const track of ear.stream.getTracks()) track.stop();
      throw new HostError('MEDIA', error instanceof Error ? error.message : String(error));
    }
    const { session, voice } = placed;
    const terminate = (): void => {
      try {
        if (!session.isEnded()) session.terminate();
      } catch (error) {
        console.warn('terminating a seat leg failed', error);
      }
    };
    this.seatLegs.set(key, { terminate });
    const ended = (e: { originator: string; cause: string }): void => {
      if (this.seatLegs.get(key)?.terminate !== terminate) return;
      this.seatLegs.delete(key);
      for (const track of ear.stream.getTracks()) track.stop();
      this.emit('seat.leg', {
        callId: leg.callId,
        role,
        side: 'call',
        state: 'ended',
        detail: `${e.originator}: ${e.cause}`,
        at: Date.now(),
      });
    };
    session.on('ended', ended);
    session.on('failed', ended);
    if (leg.isEnded) {
      terminate();
      throw new HostError('CALL_STATE', `Call ${leg.callId} ended while its seat leg was answered`);
    }
    this.emit('seat.leg', {
      callId: leg.callId,
      role,
      side: 'call',
      state: 'answered',
      detail: remote.target,
      at: Date.now(),
    });
    return { voice, ear };
  }

  private legClosed(closed: CallLeg): void {
    for (const role of ['agent', 'supervisor'] as const)
      this.seatLegs.get(`${role}/${closed.callId}`)?.terminate();
    this.endedOverruns += closed.audio.captureOverruns;
    this.endedRingDrops += closed.audio.ringDrops;
    this.lastReported.delete(closed.callId);
    this.calls.delete(closed.callId);
    this.byChannel.delete(closed.channel);
  }

  /**
   * The customer of another seat's call, sent to this seat's line by that seat's REFER: the call
   * lives here from now on, on the channel the engine gave (`seat.adopted` first, then the leg's
   * milestones and audio as for a call this host dialed), and this seat's agent has it at once.
   */
  private adoptCall(call: Transferred): void {
    const line = this.seatLine;
    if (!line || this.calls.has(call.callId)) {
      try {
        call.session.terminate({ status_code: 486, reason_phrase: 'Call already here' });
      } catch (error) {
        console.warn('refusing a transferred call failed', error);
      }
      return;
    }
    const leg = new CallLeg({
      callId: call.callId,
      channel: call.adopt.channel,
      trunkId: line.config.trunkId,
      target: '',
      rtpTimeoutMs: call.adopt.rtpTimeoutMs,
      extraHeaders: [],
      audio: this.audio.createCallAudio(),
      emit: (milestone) => this.emit('call.milestone', milestone),
      beforeEnd: (ending) => this.sendCapture([ending], Date.now()),
      onClosed: (closed) => this.legClosed(closed),
    });
    this.calls.set(call.callId, leg);
    this.byChannel.set(call.adopt.channel, leg);
    this.emit('seat.adopted', {
      callId: call.callId,
      channel: call.adopt.channel,
      at: Date.now(),
    });
    try {
      leg.adopt(call.session);
    } catch (error) {
      this.emit('host.error', {
        message: `A call transferred here could not be answered: ${String(error)}`,
        at: Date.now(),
      });
      leg.hangup('could not answer');
      return;
    }
    // No bot on this seat: the agent's microphone and speaker take the call at once.
    void leg.audio
      .takeOver({
        inputDeviceId: call.inputDeviceId,
        outputDeviceId: call.outputDeviceId,
        crossfadeMs: 0,
      })
      .catch((error: unknown) => {
        this.emit('host.error', {
          message: `The agent's microphone could not take a transferred call: ${String(error)}`,
          at: Date.now(),
        });
        leg.hangup("the agent's microphone could not be started");
      });
  }

  private requireCall(callId: string): CallLeg {
    const leg = this.calls.get(callId);
    if (!leg) throw new HostError('NO_SUCH_CALL', `No live call ${callId} in the media host`);
    return leg;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw new HostError('CALL_STATE', error instanceof Error ? error.message : String(error));
    }
  }

  private async guardAsync<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new HostError('CALL_STATE', error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * Microphones and speakers. Device labels stay empty until the page has used the microphone once,
 * so a short getUserMedia (granted by the media permission the shell gives this page) comes first.
 */
async function listAudioDevices(): Promise<{
  inputs: Array<{ deviceId: string; label: string }>;
  outputs: Array<{ deviceId: string; label: string }>;
}> {
  let devices = await navigator.mediaDevices.enumerateDevices();
  if (devices.some((d) => d.kind === 'audioinput' && d.label === '')) {
    try {
      const probe = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      for (const track of probe.getTracks()) track.stop();
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch (error) {
      console.warn(`listing audio devices without the microphone permission: ${String(error)}`);
    }
  }
  const pick = (kind: MediaDeviceKind) =>
    devices
      .filter((d) => d.kind === kind)
      .map((d, i) => ({
        deviceId: d.deviceId,
        label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${i + 1}`,
      }));
  return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
}
