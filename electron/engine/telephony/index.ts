/**
 * telephony/ — real calls through the media host: trunks' health, dialing with ring timeout and
 * backup-trunk failover, SIP outcomes, the paced audio path both ways, and recording hand-off.
 * The engine never imports JsSIP; the media host (renderer/media-host) does the SIP and WebRTC.
 */
export {
  CALL_EVENT_TYPES,
  type CallEventData,
  type CallEventType,
  isCallEvent,
} from './call-events.js';
export { type CallEnd, type CallRecorderLike, CallSession } from './call-session.js';
export { EarlyMediaWatcher, lineStatusModelLoader } from './early-media.js';
export { type MediaLinkStats } from './link-stats.js';
export { type MediaHostConnection } from './media-host-client.js';
export { type LaunchedMediaHost, type MediaHostLauncher } from './media-host-supervisor.js';
export { type PlaybackResult } from './playback.js';
export { Telephony, TelephonyError } from './telephony-service.js';
