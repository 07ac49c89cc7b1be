/**
 * telephony/ — the SIP test bed: real, independent SIP software on 127.0.0.1 that tests and
 * benchmarks start and stop. Kamailio is the proxy/registrar with WebSocket trunks for JsSIP
 * (open, digest auth, always-503) and UDP for phones; rtpengine relays media between WebRTC and
 * plain RTP; baresip phones are the customers (they speak a WAV and record what they hear); sipp
 * plays scripted far ends (busy, ringing, early media, errors); espeak-ng and sox make utterances.
 * Every process runs in the foreground under its own PID and is stopped by it. Facts about the
 * bed (what was seen working, and how): docs/DESIGN.md §8.
 *
 *   const bed = await startBed();
 *   const alice = await bed.phone({ user: 'alice', play: (await bed.clip('hello', {...})).path });
 *   // JsSIP: new JsSIP.WebSocketInterface(bed.wsUri.open), call sip:alice@127.0.0.1
 *   await bed.stop();
 */
export {
  type Bed,
  BED_SLOTS,
  type BedOptions,
  type BedPhoneOptions,
  type BedPorts,
  bedPorts,
  type BedSippOptions,
  startBed,
} from './bed.js';
export { type Clip, type ClipOptions, makeClip } from './clips.js';
export { kamailioConfig, type KamailioConfigOptions } from './kamailio.cfg.js';
export {
  type Phone,
  type PhoneEvent,
  type PhoneOptions,
  startPhone,
  writeSilentWav,
} from './phone.js';
export { killOrphans, logTail } from './process.js';
export { type Proxy, type ProxyOptions, sipPing, startProxy, type TrunkPorts } from './proxy.js';
export { ngRequest, type Relay, type RelayOptions, startRtpengine } from './rtpengine.js';
export { scenarioXml, type Sipp, type SippOptions, type SippScenario, startSipp } from './sipp.js';
