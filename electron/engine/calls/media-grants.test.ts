/**
 * Recording grants (media-grants.ts): good only for their call, for MEDIA_GRANT_TTL_MS after the
 * last use, and only while the sign-in they were minted under holds.
 */
import { describe, expect, it } from 'vitest';

import {
  MEDIA_GRANT_TTL_MS,
  MediaGrants,
  parseRecordingMediaPath,
  recordingMediaPath,
} from './media-grants.js';

describe('recording grants', () => {
  it('names who they were minted for, for their call only', () => {
    const grants = new MediaGrants();
    const grant = grants.mint('c1', 'sue');
    expect(grants.use('c1', grant)).toBe('sue');
    expect(grants.use('c2', grant)).toBeNull();
    expect(grants.use('c1', 'x'.repeat(43))).toBeNull();
    expect(grants.use('c1', '../../etc')).toBeNull();
  });

  it('expire a TTL after their last use, and end with their sign-in', () => {
    let now = 1_000;
    const grants = new MediaGrants(() => now);
    const grant = grants.mint('c1', 'sue');
    now += MEDIA_GRANT_TTL_MS - 1;
    expect(grants.use('c1', grant)).toBe('sue'); // a use keeps it good for another TTL
    now += MEDIA_GRANT_TTL_MS - 1;
    expect(grants.use('c1', grant)).toBe('sue');
    now += MEDIA_GRANT_TTL_MS;
    expect(grants.use('c1', grant)).toBeNull();
    let signedIn = true;
    const held = grants.mint('c1', 'ann', () => signedIn);
    expect(grants.use('c1', held)).toBe('ann');
    signedIn = false;
    expect(grants.use('c1', held)).toBeNull();
    signedIn = true;
    expect(grants.use('c1', held)).toBeNull(); // forgotten once dead
  });

  it('round-trips a call id through the media path, slashes and all', () => {
    const grant = new MediaGrants().mint('a/b c', 'sue');
    const path = decodeURIComponent(recordingMediaPath('a/b c', grant));
    expect(parseRecordingMediaPath(path)).toEqual({ callId: 'a/b c', grant });
    expect(parseRecordingMediaPath('recordings/c1')).toBeNull();
    expect(parseRecordingMediaPath('other/c1/x')).toBeNull();
  });
});
