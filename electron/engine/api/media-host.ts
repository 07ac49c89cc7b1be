/**
 * The link between the engine and the media host (the hidden Chromium page that owns every SIP user
 * agent and every call's RTCPeerConnection). The engine never imports JsSIP: it sends the media host
 * commands and receives its events and audio through this protocol.
 *
 *   engine → host   text  { type: 'command', id, command, params }
 *   host → engine   text  { type: 'reply', id, ok, result | error }   |   { type: 'event', event, data }
 *   both ways       binary audio frames (see the frame layout below)
 *
 * In Electron the link is a MessagePort; headless it is a WebSocket on the engine's loopback server.
 * Both sides validate every text message with these schemas: a malformed one is reported, never
 * trusted. This file is imported by the media host page, so it stays free of Node imports.
 */
import { z } from 'zod';

export * from './audio-frames.js';

// ---------------------------------------------------------------------------------------------
// Commands: engine → host

const CallId = z.string().min(1).max(200);
const TrunkId = z.number().int().positive();

export const TrunkConfigSchema = z.object({
  trunkId: TrunkId,
  name: z.string(),
  uri: z.string().regex(/^wss?:\/\//),
  domain: z.string().min(1),
  username: z.string().nullable(),
  password: z.string().nullable(),
  register: z.boolean(),
  callerId: z.string().nullable(),
});
export type TrunkConfig = z.infer<typeof TrunkConfigSchema>;

export const DTMF_TRANSPORTS = ['rfc4733', 'info'] as const;

export const SEAT_ROLES = ['agent', 'supervisor'] as const;

/**
 * A REFER to another seat's line cannot rely on the far end copying headers into its new INVITE,
 * so its Refer-To names the call and role as parameters of the line's URI, which stay in that
 * INVITE's To (a PBX rewrites only the request URI); the line answers such a customer only when
 * its engine expects the call (`seat.expect` with `adopt`).
 */
export const REFER_CALL_PARAM = 'x-outbound-call';
export const REFER_ROLE_PARAM = 'x-outbound-role';
export const REFER_VIA_PARAM = 'x-outbound-via';

/** The Refer-To that sends a call's customer to a seat line for its agent. */
export function seatReferTarget(line: string, callId: string): string {
  return `${line};${REFER_CALL_PARAM}=${callId};${REFER_ROLE_PARAM}=agent;${REFER_VIA_PARAM}=refer`;
}

/**
 * A person on another seat (issue 16 §3): instead of a local microphone and speaker, the media host
 * places a SIP leg to that seat's line (`target`, with the headers naming the call and role) on
 * the call's own trunk, and mixes the leg's audio as the person's voice and sends them their ear.
 */
const SeatRemote = z.object({
  target: z.string().startsWith('sip:'),
  extraHeaders: z.array(z.string()).default([]),
  /** How long the person's seat may take to answer. */
  answerTimeoutMs: z.number().int().min(1000).max(60_000).default(15_000),
});

export const hostCommands = {
  /** Creates or replaces the trunk's user agent (connects, registers when asked). */
  'trunk.configure': { params: TrunkConfigSchema, result: z.object({ connected: z.boolean() }) },
  'trunk.remove': { params: z.object({ trunkId: TrunkId }), result: z.object({}) },
  /** Places a call; resolves once the session is created (the INVITE follows ICE gathering), or fails at once when it cannot be. */
  'call.dial': {
    params: z.object({
      callId: CallId,
      channel: z.number().int().nonnegative(),
      trunkId: TrunkId,
      /** sip:NUMBER@DOMAIN */
      target: z.string().startsWith('sip:'),
      /** Dead line: no RTP received for this long while the call is up and not on hold. */
      rtpTimeoutMs: z.number().int().min(1000),
      extraHeaders: z.array(z.string()).default([]),
    }),
    result: z.object({}),
  },
  'call.hangup': {
    params: z.object({ callId: CallId, reason: z.string().optional() }),
    result: z.object({}),
  },
  'call.dtmf': {
    params: z.object({
      callId: CallId,
      tones: z.string().regex(/^[0-9A-D*#,]+$/),
      transport: z.enum(DTMF_TRANSPORTS),
    }),
    result: z.object({}),
  },
  'call.hold': {
    params: z.object({ callId: CallId, hold: z.boolean() }),
    result: z.object({ done: z.boolean() }),
  },
  'call.refer': {
    params: z.object({ callId: CallId, target: z.string().startsWith('sip:') }),
    result: z.object({}),
  },
  /**
   * A transfer to another seat by REFER (issue 16 §3, a trunk in `refer` mode): an in-dialog REFER
   * to the customer's leg with Refer-To `target` (the agent's seat line, naming the call and role in
   * its parameters). Resolves when the far end's NOTIFY reports 2xx (the customer now talks to
   * that seat; this host then hangs its leg up), with the time it took; fails when the REFER is
   * refused, the NOTIFY reports a failure, or nothing final comes within `timeoutMs`, and the
   * call goes on here as before.
   */
  'call.referSeat': {
    params: z.object({
      callId: CallId,
      target: z.string().startsWith('sip:'),
      timeoutMs: z.number().int().min(1000).max(60_000).default(15_000),
    }),
    result: z.object({ afterMs: z.number() }),
  },
  /** Drops whatever the call's player still holds (barge-in). */
  'call.flush': { params: z.object({ callId: CallId }), result: z.object({}) },
  /**
   * Agent takeover in the same call: the agent's microphone (device id, '' = default) joins the
   * call's outgoing audio, then the bot fades out over crossfadeMs and its player is flushed; the
   * customer plays on the agent's output device ('' = default).
   */
  'call.takeover': {
    params: z.object({
      callId: CallId,
      inputDeviceId: z.string(),
      outputDeviceId: z.string(),
      crossfadeMs: z.number().int().min(0).max(1000).default(60),
      /** The agent sits at another seat: a bridged SIP leg to it instead of the devices. */
      remote: SeatRemote.optional(),
    }),
    result: z.object({ inputLabel: z.string() }),
  },
  /** The agent's microphone gain to 0 (muted) or back to 1. */
  'call.agentMute': {
    params: z.object({ callId: CallId, muted: z.boolean() }),
    result: z.object({}),
  },
  /**
   * A supervisor joins the call or changes mode, their microphone and speaker from Settings ('' =
   * default). listen: they hear everyone, nobody hears them; whisper: the agent hears them, the
   * customer does not (needs an agent on the call); barge: everyone hears them. `takeover` (a
   * barge on a bot call) also fades the bot out and flushes its player, as an agent's takeover does.
   */
  'call.supervise': {
    params: z.object({
      callId: CallId,
      mode: z.enum(['listen', 'whisper', 'barge']),
      inputDeviceId: z.string(),
      outputDeviceId: z.string(),
      takeover: z.boolean().default(false),
      crossfadeMs: z.number().int().min(0).max(1000).default(60),
      /** The supervisor sits at another seat (joining only; a mode change keeps the leg). */
      remote: SeatRemote.optional(),
    }),
    result: z.object({ inputLabel: z.string() }),
  },
  /** The supervisor leaves the call: their microphone and speaker out; the call goes on. */
  'call.unsupervise': { params: z.object({ callId: CallId }), result: z.object({}) },
  /**
   * This seat's line: one SIP user registered through the trunk's proxy (the config's username),
   * which answers the seat legs the engine expects and refuses every other INVITE. Replaces the
   * line there was. `registered`: whether it registered within a few seconds.
   */
  'seat.line': { params: TrunkConfigSchema, result: z.object({ registered: z.boolean() }) },
  /** Answer the next leg for this call and role (within 30 s) with these devices. */
  'seat.expect': {
    params: z.object({
      callId: CallId,
      role: z.enum(SEAT_ROLES),
      inputDeviceId: z.string(),
      outputDeviceId: z.string(),
      /**
       * An agent's leg may also be the customer themself, sent here by the call's seat's REFER
       * (its Refer-To names the call, the role and `x-outbound-via=refer`): the call then lives
       * on this host on this channel (`seat.adopted`), the agent's devices taken over at once.
       */
      adopt: z
        .object({
          channel: z.number().int().nonnegative(),
          rtpTimeoutMs: z.number().int().min(1000),
        })
        .optional(),
    }),
    result: z.object({}),
  },
  /** Forget an expected leg and hang up the leg when it is up (either seat's side). */
  'seat.release': {
    params: z.object({ callId: CallId, role: z.enum(SEAT_ROLES) }),
    result: z.object({}),
  },
  /** Microphones and speakers this host can use. */
  'devices.list': {
    params: z.object({}),
    result: z.object({
      inputs: z.array(z.object({ deviceId: z.string(), label: z.string() })),
      outputs: z.array(z.object({ deviceId: z.string(), label: z.string() })),
    }),
  },
} as const;

export type HostCommands = typeof hostCommands;
export type HostCommandName = keyof HostCommands;
export type HostCommandParams<C extends HostCommandName> = z.input<HostCommands[C]['params']>;
export type HostCommandResult<C extends HostCommandName> = z.output<HostCommands[C]['result']>;

export const HostCommandMessage = z.object({
  type: z.literal('command'),
  id: z.number().int().nonnegative(),
  command: z.string(),
  params: z.unknown(),
});
export type HostCommandMessage = z.infer<typeof HostCommandMessage>;

export const HOST_ERROR_CODES = [
  'BAD_COMMAND',
  'NO_SUCH_CALL',
  'NO_SUCH_TRUNK',
  'TRUNK_DOWN',
  'CALL_STATE',
  'MEDIA',
  'INTERNAL',
] as const;

export const HostReplyMessage = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('reply'),
    id: z.number().int(),
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.object({
    type: z.literal('reply'),
    id: z.number().int(),
    ok: z.literal(false),
    error: z.object({ code: z.enum(HOST_ERROR_CODES), message: z.string() }),
  }),
]);
export type HostReplyMessage = z.infer<typeof HostReplyMessage>;

// ---------------------------------------------------------------------------------------------
// Events: host → engine

export const TRUNK_LINK_STATES = [
  'connecting',
  'connected',
  'registering',
  'registered',
  'down',
] as const;

/** Milestones of one call, as the media host sees them from SIP, ICE and RTP. */
export const CALL_MILESTONES = [
  'sending', // INVITE handed to the transport
  'trying', // 100 Trying
  'ringing', // 180
  'early_media', // 183 with SDP
  'answered', // 200 OK
  'confirmed', // ACK sent
  'ice', // ICE connection state changed
  'media_flowing', // first RTP packets received
  'media_timeout', // no RTP for rtpTimeoutMs while up and not held
  'media_resumed', // RTP back after a timeout warning or a reconnect
  'dtmf_in',
  'dtmf_out',
  'hold',
  'unhold',
  'renegotiated',
  'refer', // a REFER's progress: accepted / NOTIFY status / failed
  'failed', // ended before it was answered
  'ended', // ended after it was answered
] as const;
export type CallMilestone = (typeof CALL_MILESTONES)[number];

export const RtpStatsSchema = z.object({
  packetsReceived: z.number(),
  packetsSent: z.number(),
  packetsLost: z.number(),
  jitterMs: z.number(),
  roundTripMs: z.number().nullable(),
});
export type RtpStats = z.infer<typeof RtpStatsSchema>;

export const hostEvents = {
  'host.ready': z.object({ userAgent: z.string(), sampleRate: z.number(), at: z.number() }),
  'host.error': z.object({ message: z.string(), at: z.number() }),
  'trunk.state': z.object({
    trunkId: TrunkId,
    state: z.enum(TRUNK_LINK_STATES),
    reason: z.string().nullable(),
    at: z.number(),
  }),
  'call.milestone': z.object({
    callId: CallId,
    milestone: z.enum(CALL_MILESTONES),
    at: z.number(),
    /** SIP status of the response or request behind it, when there is one. */
    sipCode: z.number().int().nullable().default(null),
    sipReason: z.string().nullable().default(null),
    /** For failed/ended: who ended it (local = us, remote = the far end, system = transport or timer). */
    originator: z.enum(['local', 'remote', 'system']).nullable().default(null),
    /** JsSIP's cause or another short detail. */
    detail: z.string().nullable().default(null),
    stats: RtpStatsSchema.nullable().default(null),
  }),
  /**
   * A seat leg's progress. side `call`: the leg this host placed for a call it holds; `person`:
   * a leg this host's seat line answered (or refused) for its agent or supervisor.
   */
  'seat.leg': z.object({
    callId: CallId,
    role: z.enum(SEAT_ROLES),
    side: z.enum(['call', 'person']),
    state: z.enum(['answered', 'ended', 'refused']),
    detail: z.string().nullable().default(null),
    at: z.number(),
  }),
  /**
   * The customer of another seat's call, sent here by that seat's REFER, was answered on this
   * seat's line: the call now lives on this host on `channel` (its milestones, audio and commands
   * follow under `callId`). Sent before any milestone of the adopted leg.
   */
  'seat.adopted': z.object({
    callId: CallId,
    channel: z.number().int().nonnegative(),
    at: z.number(),
  }),
  /** The seat line's registration (as trunk.state for a trunk). */
  'seat.lineState': z.object({
    state: z.enum(TRUNK_LINK_STATES),
    reason: z.string().nullable(),
    at: z.number(),
  }),
  /** Every call's player: how much of the engine's audio has played (drives the engine's pacing). */
  'calls.playout': z.object({
    reports: z.array(
      z.object({
        callId: CallId,
        playedFrames: z.number().int(),
        bufferedFrames: z.number().int(),
        underruns: z.number().int(),
        droppedFrames: z.number().int(),
      }),
    ),
    /** When the page read the counts (Date.now()): the engine extrapolates from then, not from arrival. */
    at: z.number(),
  }),
  /**
   * The page's side of the media link, once a second: how far behind its 20 ms pump ran and how
   * deep its queues got since the last report (the engine's stats and the benches read these).
   */
  'link.stats': z.object({
    at: z.number(),
    /** Calls the page holds now. */
    calls: z.number().int().nonnegative(),
    /** The longest gap between two pump ticks (20 ms when on time): a stalled main thread. */
    pumpGapMaxMs: z.number().nonnegative(),
    /** The deepest any call's capture ring was when the pump read it, in frames (1 = on time). */
    captureBacklogMaxFrames: z.number().int().nonnegative(),
    /** Capture frames lost since the page started: the pump fell a whole ring behind (drop-oldest). */
    captureOverruns: z.number().int().nonnegative(),
    /** The most bytes waiting in the page's outgoing socket when it sent (0 on a MessagePort). */
    sendBufferedMaxBytes: z.number().int().nonnegative(),
    /** The deepest any call's player was, in frames (the engine keeps a lead of up to 3 s there). */
    playbackBufferedMaxFrames: z.number().int().nonnegative(),
    /** Playback frames the page dropped since it started because a call's player ring was full (drop-newest). */
    playbackRingDrops: z.number().int().nonnegative(),
  }),
} as const;

export type HostEvents = typeof hostEvents;
export type HostEventName = keyof HostEvents;
export type HostEventData<E extends HostEventName> = z.output<HostEvents[E]>;
export type HostEventInput<E extends HostEventName> = z.input<HostEvents[E]>;

export const HostEventMessage = z.object({
  type: z.literal('event'),
  event: z.string(),
  data: z.unknown(),
});
export type HostEventMessage = z.infer<typeof HostEventMessage>;

export function isHostCommandName(name: string): name is HostCommandName {
  return Object.hasOwn(hostCommands, name);
}
export function isHostEventName(name: string): name is HostEventName {
  return Object.hasOwn(hostEvents, name);
}

/** The path of the media host's link on the headless server. */
export const MEDIA_HOST_LINK_PATH = '/media-host-link';
