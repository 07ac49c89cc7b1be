/**
 * telephony/ — real calls through the media host: trunks' health, dialing with ring timeout and
 * backup-trunk failover, SIP outcomes, the paced audio path both ways, and recording hand-off.
 * The engine never imports JsSIP; the media host (renderer/media-host) does the SIP and WebRTC.
 */
export { Telephony, TelephonyError, type DialOptions, type TelephonyOptions, type TrunkSource } from './telephony-service.js';
export { CallSession, CallNotUpError, type CallEnd, type CallEventPayload, type CallRecorderLike, type DialTrunk, type RecordedCall } from './call-session.js';
export { MediaHostClient, MediaHostCommandError, type CaptureFrame, type MediaHostConnection } from './media-host-client.js';
export { MediaHostSupervisor, MediaHostUnavailableError, type LaunchedMediaHost, type MediaHostLauncher } from './media-host-supervisor.js';
export { classifyFailure, describeHangup, type FailureFacts, type FailureVerdict } from './outcomes.js';
export { checkDialNumber } from './numbers.js';
export { CallPlayback, PlaybackClock, PLAYBACK_LEAD_FRAMES, type PlaybackResult } from './playback.js';
export { TrunkHealthRegistry } from './trunk-health.js';
