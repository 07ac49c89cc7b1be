/**
 * Records a call in real time until killed, for the crash test: one frame every 20 ms (catching up
 * if a timer fires late), printing "pushed <seq>" after each push. Encrypted as the engine does it:
 * with the workspace's recording keys, sealed by the headless key file in the data folder.
 *
 * Usage: push-until-killed.ts <data dir> <call id> <segment ms>   (records into <data dir>/recordings)
 */
import { join } from 'node:path';

import { silentLogger } from '../../log.js';
import { openKeyFileSecretBox } from '../../secrets/index.js';
import { CallRecorder } from '../call-recorder.js';
import { openRecordingKeys } from '../keys.js';
import { makeFrame } from './signal.js';

const [dataDir, callId, segmentArg] = process.argv.slice(2);
const segmentMs = Number(segmentArg);
if (!dataDir || !callId || !Number.isInteger(segmentMs) || segmentMs <= 0) {
  console.error('usage: push-until-killed.ts <data dir> <call id> <segment ms>');
  process.exit(2);
}

const recorder = await CallRecorder.create({
  dir: join(dataDir, 'recordings'),
  callId,
  keys: openRecordingKeys(dataDir, openKeyFileSecretBox(dataDir, silentLogger)),
  segmentMs,
  onError: (error) => {
    console.error(error.message);
    process.exit(1);
  },
});
console.log('ready');

const start = performance.now();
let seq = 0;
setInterval(() => {
  const due = Math.floor((performance.now() - start) / 20);
  while (seq <= due) {
    recorder.push(makeFrame(seq));
    process.stdout.write(`pushed ${seq}\n`);
    seq++;
  }
}, 20);
