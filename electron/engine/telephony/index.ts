/**
 * telephony/ — real calls through the media host: trunks' health, dialing with ring timeout and
 * backup-trunk failover, SIP outcomes, the paced audio path both ways, and recording hand-off.
 * The engine never imports JsSIP; the media host (renderer/media-host) does the SIP and WebRTC.
 */
export {
  type CallEnd,
  type CallEventPayload,
  CallNotUpError,
  type CallRecorderLike,
  CallSession,
  type DialTrunk,
  type RecordedCall,
} from './call-session.js';
export {
  type CaptureFrame,
  MediaHostClient,
  MediaHostCommandError,
  type MediaHostConnection,
} from './media-host-client.js';
export {
  type LaunchedMediaHost,
  type MediaHostLauncher,
  MediaHostSupervisor,
  MediaHostUnavailableError,
} from './media-host-supervisor.js';
export { checkDialNumber } from './numbers.js';
export {
  classifyFailure,
  describeHangup,
  type FailureFacts,
  type FailureVerdict,
} from './outcomes.js';
export {
  CallPlayback,
  PLAYBACK_LEAD_FRAMES,
  PlaybackClock,
  type PlaybackResult,
} from './playback.js';
export {
  type DialOptions,
  Telephony,
  TelephonyError,
  type TelephonyOptions,
  type TrunkSource,
} from './telephony-service.js';
export { TrunkHealthRegistry } from './trunk-health.js';
