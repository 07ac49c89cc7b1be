/**
 * The soak's clock jump: loaded into `outbound serve` with NODE_OPTIONS=--import, it adds an
 * offset to the process's wall clock (Date.now() and new Date()), read from the file named by
 * SOAK_CLOCK_FILE (milliseconds, a plain number) every 200 ms. The soak writes a larger number to
 * make the wall clock jump forward mid-run, as an NTP step or a resumed laptop would. Monotonic
 * time (performance.now(), timers) is left alone, as the OS leaves it on a real jump. A restarted
 * engine reads the same file at once, so its clock never jumps back.
 */
import { readFileSync } from 'node:fs';
import { setInterval } from 'node:timers';

const file = process.env.SOAK_CLOCK_FILE;
if (file) {
  let offset = 0;
  const read = () => {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value)) offset = value;
    } catch {
      // no file yet: no offset
    }
  };
  read();
  setInterval(read, 200).unref();
  const RealDate = Date;
  const realNow = RealDate.now;
  const now = () => realNow() + offset;
  // A Proxy, not a subclass: Date() called without new still works, and instanceof Date holds.
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, prop, receiver) => (prop === 'now' ? now : Reflect.get(target, prop, receiver)),
  });
}
