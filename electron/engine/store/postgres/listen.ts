/**
 * LISTEN for the change feed (../change-feed.ts) on a PostgreSQL connection of its own (a pool
 * hands its clients around; LISTEN belongs to one session). Handlers are woken on each
 * notification of their topic; after the connection drops it reconnects with a growing delay
 * (capped at 10 s), listens again and wakes every handler once, since notifications sent while
 * it was away are lost and the rows must be re-read.
 */
import pg from 'pg';

import { CHANGE_TOPICS, type ChangeListen, type ChangeTopic, channelOf } from '../change-feed.js';

export interface PgChangeListener {
  listen: ChangeListen;
  close(): Promise<void>;
}

export function startPgChangeListener(
  url: string,
  onError: (message: string) => void = () => undefined,
): PgChangeListener {
  const handlers = new Map<ChangeTopic, Set<() => void>>(
    CHANGE_TOPICS.map((topic) => [topic, new Set()]),
  );
  const byChannel = new Map(CHANGE_TOPICS.map((topic) => [channelOf(topic), topic]));
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 250;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const wake = (topic: ChangeTopic) => {
    for (const handler of handlers.get(topic) ?? []) handler();
  };

  const connect = async (reconnecting: boolean): Promise<void> => {
    if (closed) return;
    const next = new pg.Client({ connectionString: url, application_name: 'outbound-listen' });
    next.on('notification', (message) => {
      const topic = byChannel.get(message.channel);
      if (topic) wake(topic);
    });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, null));
    try {
      await next.connect();
      for (const topic of CHANGE_TOPICS) await next.query(`LISTEN ${channelOf(topic)}`);
    } catch (error) {
      lost(next, error);
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retryMs = 250;
    // Whatever was sent while no one listened is re-read now.
    if (reconnecting) for (const topic of CHANGE_TOPICS) wake(topic);
  };

  const lost = (which: pg.Client, error: unknown) => {
    if (closed || (client !== null && client !== which)) return;
    client = null;
    void which.end().catch(() => undefined);
    if (retry) return;
    onError(
      `The change feed's connection to PostgreSQL was lost${error ? ` (${(error as Error).message})` : ''}; reconnecting in ${retryMs} ms`,
    );
    retry = setTimeout(() => {
      retry = null;
      void connect(true);
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  void connect(false);

  return {
    listen(topic, onWake) {
      handlers.get(topic)?.add(onWake);
      return () => handlers.get(topic)?.delete(onWake);
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
