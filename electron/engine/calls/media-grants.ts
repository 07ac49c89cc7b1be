/**
 * Grants to fetch a call's recording over a shell's media route (issue 13): `calls.recording` (which
 * the role map checks) mints one for the signed-in user and puts it in the media path it returns,
 * `recordings/<callId>/<grant>`; the route serves the file only for a grant that names that call,
 * is recent and whose sign-in still holds. So what a console may play follows the role of who
 * signed in, not the console's token, and `recordings.fetch` entries name that user.
 *
 * A grant lives MEDIA_GRANT_TTL_MS after it was minted or last used (an audio element asks for
 * ranges while it plays), and ends with the session it was minted in (sign-out, idle expiry, an
 * admin's change to the user). Grants live in memory: a restarted engine mints new ones.
 */
import { randomBytes } from 'node:crypto';

import type { Actor } from '../audit/index.js';

/** How long a grant stays good after it was minted or last used. */
export const MEDIA_GRANT_TTL_MS = 15 * 60 * 1000;
/** At most this many grants are kept; the oldest go first beyond it. */
const MAX_GRANTS = 10_000;
/** A grant as it appears in a media path: 32 random bytes, base64url. */
const GRANT_PATTERN = /^[A-Za-z0-9_-]{43}$/;

interface Grant {
  callId: string;
  actor: Actor;
  /** Whether the sign-in it was minted under still holds; absent for the local admin (CLI). */
  alive?: () => boolean;
  expiresAt: number;
}

export class MediaGrants {
  private readonly grants = new Map<string, Grant>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = MEDIA_GRANT_TTL_MS,
  ) {}

  /** A new grant for `actor` to fetch `callId`'s recording while `alive` holds. */
  mint(callId: string, actor: Actor, alive?: () => boolean): string {
    const now = this.now();
    for (const [key, grant] of this.grants) {
      if (grant.expiresAt > now && this.grants.size < MAX_GRANTS) break;
      this.grants.delete(key); // Oldest first (a Map keeps insertion order; use re-inserts).
    }
    const grant = randomBytes(32).toString('base64url');
    this.grants.set(grant, {
      callId,
      actor,
      expiresAt: now + this.ttlMs,
      ...(alive ? { alive } : {}),
    });
    return grant;
  }

  /**
   * Who a grant was minted for, when it is for `callId`, recent and its sign-in holds (the use
   * keeps it good for another TTL); otherwise null, and a dead grant is forgotten.
   */
  use(callId: string, grant: string): Actor | null {
    if (!GRANT_PATTERN.test(grant)) return null;
    const held = this.grants.get(grant);
    if (!held || held.callId !== callId) return null;
    const now = this.now();
    if (held.expiresAt <= now || (held.alive && !held.alive())) {
      this.grants.delete(grant);
      return null;
    }
    held.expiresAt = now + this.ttlMs;
    this.grants.delete(grant);
    this.grants.set(grant, held);
    return held.actor;
  }
}

/** The media path of a call's recording for one grant: `recordings/<callId>/<grant>`. */
export function recordingMediaPath(callId: string, grant: string): string {
  return `recordings/${encodeURIComponent(callId)}/${grant}`;
}

/** A (decoded) media path's call and grant, or null when it is not a recording's. */
export function parseRecordingMediaPath(
  mediaPath: string,
): { callId: string; grant: string } | null {
  const match = /^recordings\/(.+)\/([^/]+)$/.exec(mediaPath);
  return match ? { callId: match[1]!, grant: match[2]! } : null;
}
