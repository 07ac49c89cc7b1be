/**
 * Records a call in real time until killed, for the crash test: one frame every 20 ms (catching up
 * if a timer fires late), printing "pushed <seq>" after each push.
 *
 * Usage: push-until-killed.ts <recordings dir> <call id> <segment ms>
 */
import { CallRecorder } from '../call-recorder.js';
import { makeFrame } from './signal.js';

const [dir, callId, segmentArg] = process.argv.slice(2);
const segmentMs = Number(segmentArg);
if (!dir || !callId || !Number.isInteger(segmentMs) || segmentMs <= 0) {
  console.error('usage: push-until-killed.ts <recordings dir> <call id> <segment ms>');
  process.exit(2);
}

const recorder = await CallRecorder.create({
  dir,
  callId,
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
