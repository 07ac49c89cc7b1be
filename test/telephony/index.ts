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
export { type Bed, startBed } from './bed.js';
export { type Clip } from './clips.js';
export { type Phone } from './phone.js';
export { type Sipp } from './sipp.js';
