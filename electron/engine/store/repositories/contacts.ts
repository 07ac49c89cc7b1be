import { randomInt } from 'node:crypto';

import { DEFAULT_SETTINGS } from '../../api/contract.js';
import type { Dialect } from '../dialect.js';
import type {
  ContactListRecord,
  ContactRecord,
  ContactRepository,
  CustomFieldDefinition,
  NewContact,
} from '../types.js';
import { decodeJsonArray, decodeJsonObject, encodeJson } from './codec.js';
import { chunks, explainMissing, pageParams, type RepositoryContext, returned } from './context.js';

interface ContactListRow {
  id: number;
  name: string;
  description: string;
  default_region: string;
  fields: string;
  created_at: number;
}

interface ContactRow {
  id: number;
  list_id: number;
  phone: string;
  name: string | null;
  time_zone: string | null;
  fields: string;
  consent_source: string | null;
  consent_at: number | null;
  created_at: number;
  updated_at: number;
}

const LIST_COLUMNS = 'id, name, description, default_region, fields, created_at';
const CONTACT_COLUMNS =
  'id, list_id, phone, name, time_zone, fields, consent_source, consent_at, created_at, updated_at';

function toList(row: ContactListRow): ContactListRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    defaultRegion: row.default_region,
    // Written only by createList from CustomFieldDefinition[].
    fields: decodeJsonArray(
      row.fields,
      `contact list "${row.name}"`,
    ) as unknown as CustomFieldDefinition[],
    createdAt: row.created_at,
  };
}

function toContact(row: ContactRow): ContactRecord {
  return {
    id: row.id,
    listId: row.list_id,
    phone: row.phone,
    name: row.name,
    timeZone: row.time_zone,
    fields: decodeJsonObject(row.fields, `contact ${row.id}`),
    consentSource: row.consent_source,
    consentAt: row.consent_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Without a region of its own, a list takes the one in Settings, else the built-in default.
const insertList = (d: Dialect): string => `
  INSERT INTO contact_lists (name, description, default_region, fields, created_at)
  VALUES ($name, $description,
          COALESCE($default_region, (SELECT ${d.jsonScalar('value')} FROM settings WHERE key = 'defaultRegion'), $fallback_region),
          $fields, $created_at)
  RETURNING ${LIST_COLUMNS}`;

// One statement per chunk: rows arrive as one JSON array parameter, which keeps a million-row
// import from paying a round trip per row. `WHERE true` resolves SQLite's parsing ambiguity
// between INSERT … SELECT and ON CONFLICT. Fields merge as a JSON merge patch (RFC 7396): given
// keys replace stored ones, and a null value removes the field. A consent record (its time, with
// its source or none) replaces the stored one as a whole; a row without one keeps it.
const CONSENT_MERGE = `
    consent_source = CASE WHEN excluded.consent_at IS NULL THEN contacts.consent_source ELSE excluded.consent_source END,
    consent_at = COALESCE(excluded.consent_at, contacts.consent_at),`;
const upsertContacts = (d: Dialect): string => `
  INSERT INTO contacts (list_id, phone, name, time_zone, fields, consent_source, consent_at, created_at, updated_at)
  SELECT $list_id, value ->> 'phone', value ->> 'name', value ->> 'timeZone', COALESCE(value -> 'fields', '{}'),
         value ->> 'consentSource', CAST(value ->> 'consentAt' AS BIGINT), $now, $now
  FROM ${d.jsonEach('$rows')} WHERE true
  ON CONFLICT (list_id, phone) DO UPDATE SET
    name = COALESCE(excluded.name, contacts.name),
    time_zone = COALESCE(excluded.time_zone, contacts.time_zone),
    fields = json_patch(contacts.fields, excluded.fields),${CONSENT_MERGE}
    updated_at = excluded.updated_at`;

const UPSERT_CHUNK_SIZE = 10_000;

// SQLite: a TEMP table lives in the connection's own temporary database: invisible to the reader
// and to other processes, writing to it takes no lock on the store file, and it is gone with the
// connection (a crash mid-import leaves nothing behind). WITHOUT ROWID: rows sit in (id, seq) order.
// PostgreSQL: a pool has no one connection to keep a TEMP table on, so the staging table is an
// UNLOGGED one (no WAL, made on first use, not part of the schema) shared by the seats, with
// staging ids drawn at random so two seats' imports never mix; rows of an import that crashed
// stay until the next dropStaging of that id (never: they are only ever read by id).
const stagingTable = (d: Dialect): string =>
  d.name === 'postgres' ? 'import_staging' : 'temp.import_staging';
const createStaging = (d: Dialect): string => `
  CREATE ${d.name === 'postgres' ? 'UNLOGGED' : 'TEMP'} TABLE IF NOT EXISTS import_staging (
    staging_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    phone TEXT NOT NULL,
    name TEXT,
    time_zone TEXT,
    fields TEXT NOT NULL,
    consent_source TEXT,
    consent_at BIGINT,
    PRIMARY KEY (staging_id, seq)
  )${d.name === 'postgres' ? '' : ' WITHOUT ROWID'}`;

const stageContacts = (d: Dialect): string => `
  INSERT INTO ${stagingTable(d)} (staging_id, seq, phone, name, time_zone, fields, consent_source, consent_at)
  SELECT $staging_id, $first_seq + key, value ->> 'phone', value ->> 'name', value ->> 'timeZone', COALESCE(value -> 'fields', '{}'),
         value ->> 'consentSource', CAST(value ->> 'consentAt' AS BIGINT)
  FROM ${d.jsonEach('$rows')}`;

// SQLite applies an INSERT's rows one by one, so a number twice in a file merges into itself.
// PostgreSQL refuses to touch one row twice in one statement: there each round takes the k-th
// occurrence of every number (`$round`), and the rounds run in order, with the same result.
const mergeStaged = (d: Dialect): string => `
  INSERT INTO contacts (list_id, phone, name, time_zone, fields, consent_source, consent_at, created_at, updated_at)
  SELECT $list_id, phone, name, time_zone, fields, consent_source, consent_at, $now, $now
  FROM ${
    d.name === 'postgres'
      ? `(SELECT *, row_number() OVER (PARTITION BY phone ORDER BY seq) AS round FROM import_staging
          WHERE staging_id = $staging_id AND seq >= $from AND seq < $to) AS staged WHERE round = $round`
      : `${stagingTable(d)} WHERE staging_id = $staging_id AND seq >= $from AND seq < $to`
  }
  ORDER BY seq
  ON CONFLICT (list_id, phone) DO UPDATE SET
    name = COALESCE(excluded.name, contacts.name),
    time_zone = COALESCE(excluded.time_zone, contacts.time_zone),
    fields = json_patch(contacts.fields, excluded.fields),${CONSENT_MERGE}
    updated_at = excluded.updated_at`;

/** Staging ids are unique in the process: two imports may stage on one connection at once. */
let lastStagingId = 0;

export function createContactRepository({ db, read, now }: RepositoryContext): ContactRepository {
  return {
    async createList(input) {
      const row = await db.get<ContactListRow>(insertList(db.dialect), {
        $name: input.name,
        $description: input.description ?? '',
        $default_region: input.defaultRegion ?? null,
        $fallback_region: DEFAULT_SETTINGS.defaultRegion,
        $fields: encodeJson(input.fields ?? []),
        $created_at: now(),
      });
      return toList(returned(row));
    },

    async getListByName(name) {
      const row = await db.get<ContactListRow>(
        `SELECT ${LIST_COLUMNS} FROM contact_lists WHERE name = $name`,
        { $name: name },
      );
      return row ? toList(row) : null;
    },

    async lists() {
      // The console's list page reads beside a running import (see context.ts).
      return (
        await (read ?? db).all<ContactListRow>(
          `SELECT ${LIST_COLUMNS} FROM contact_lists ORDER BY name`,
        )
      ).map(toList);
    },

    upsertContacts(listId: number, contacts: NewContact[]) {
      const work = db.transaction(async (tx) => {
        // New rows get rowids above the current maximum, so counting those tells inserts from merges.
        const before =
          (await tx.get<{ max_id: number | null }>('SELECT max(id) AS max_id FROM contacts'))
            ?.max_id ?? 0;
        const at = now();
        for (const chunk of chunks(contacts, UPSERT_CHUNK_SIZE)) {
          // One statement per chunk; on PostgreSQL one per occurrence round (see mergeStaged).
          const rounds = tx.dialect.name === 'postgres' ? occurrenceRounds(chunk) : [chunk];
          for (const round of rounds)
            await tx.run(upsertContacts(tx.dialect), {
              $list_id: listId,
              $rows: encodeJson(round.map(contactJson)),
              $now: at,
            });
        }
        const inserted =
          (
            await tx.get<{ n: number }>('SELECT count(*) AS n FROM contacts WHERE id > $before', {
              $before: before,
            })
          )?.n ?? 0;
        return { inserted, merged: contacts.length - inserted };
      });
      return explainMissing(work, `Contact list ${listId} does not exist.`);
    },

    async contacts(listId, page) {
      const rows = await db.all<ContactRow>(
        `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE list_id = $list_id ORDER BY id LIMIT $limit OFFSET $offset`,
        { $list_id: listId, ...pageParams(page) },
      );
      return rows.map(toContact);
    },

    async contactByPhone(listId, phone) {
      // The (list_id, phone) unique key is its index.
      const row = await db.get<ContactRow>(
        `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE list_id = $list_id AND phone = $phone`,
        { $list_id: listId, $phone: phone },
      );
      return row === undefined ? null : toContact(row);
    },

    async beginStaging() {
      await db.exec(createStaging(db.dialect));
      return db.dialect.name === 'postgres' ? randomInt(1, 2 ** 47) : ++lastStagingId;
    },

    async stageContacts(stagingId, firstSeq, contacts) {
      for (const [i, chunk] of chunks(contacts, UPSERT_CHUNK_SIZE).entries()) {
        await db.run(stageContacts(db.dialect), {
          $staging_id: stagingId,
          $first_seq: firstSeq + i * UPSERT_CHUNK_SIZE,
          $rows: encodeJson(chunk.map(contactJson)),
        });
      }
    },

    mergeStaged(stagingId, listId, fromSeq, toSeq) {
      const work = db.transaction(async (tx) => {
        // As in upsertContacts: new rows get rowids above the current maximum.
        const before =
          (await tx.get<{ max_id: number | null }>('SELECT max(id) AS max_id FROM contacts'))
            ?.max_id ?? 0;
        const at = now();
        let changes = 0;
        for (let round = 1; ; round++) {
          const step = await tx.run(mergeStaged(tx.dialect), {
            $staging_id: stagingId,
            $list_id: listId,
            $from: fromSeq,
            $to: toSeq,
            $now: at,
            // node-sqlite3 refuses a parameter the statement does not name.
            ...(tx.dialect.name === 'postgres' ? { $round: round } : {}),
          });
          changes += step.changes;
          if (tx.dialect.name === 'sqlite' || step.changes === 0) break;
        }
        const inserted =
          (
            await tx.get<{ n: number }>('SELECT count(*) AS n FROM contacts WHERE id > $before', {
              $before: before,
            })
          )?.n ?? 0;
        // Merged rows leave the staging table with the same commit (deleting a million at the end
        // would hold the writer for seconds).
        await tx.run(
          `DELETE FROM ${stagingTable(tx.dialect)} WHERE staging_id = $staging_id AND seq >= $from AND seq < $to`,
          { $staging_id: stagingId, $from: fromSeq, $to: toSeq },
        );
        return { inserted, merged: changes - inserted };
      });
      return explainMissing(work, `Contact list ${listId} does not exist.`);
    },

    async dropStaging(stagingId) {
      // In steps, for the same reason as above (a file that failed after a million rows read).
      for (;;) {
        const { changes } = await db.run(
          `DELETE FROM ${stagingTable(db.dialect)} WHERE staging_id = $staging_id AND seq < $step +
             (SELECT min(seq) FROM ${stagingTable(db.dialect)} WHERE staging_id = $staging_id)`,
          { $staging_id: stagingId, $step: UPSERT_CHUNK_SIZE },
        );
        if (changes === 0) return;
      }
    },

    async countContacts(listId) {
      const row = await (read ?? db).get<{ n: number }>(
        'SELECT count(*) AS n FROM contacts WHERE list_id = $list_id',
        { $list_id: listId },
      );
      return row?.n ?? 0;
    },
  };
}

/** The first occurrence of every number, then the second ones, …, each in the given order. */
function occurrenceRounds(contacts: readonly NewContact[]): NewContact[][] {
  const seen = new Map<string, number>();
  const rounds: NewContact[][] = [];
  for (const contact of contacts) {
    const k = seen.get(contact.phone) ?? 0;
    seen.set(contact.phone, k + 1);
    (rounds[k] ??= []).push(contact);
  }
  return rounds;
}

function contactJson(contact: NewContact): object {
  return {
    phone: contact.phone,
    name: contact.name ?? null,
    timeZone: contact.timeZone ?? null,
    fields: contact.fields ?? {},
    consentSource: contact.consentSource ?? null,
    consentAt: contact.consentAt ?? null,
  };
}
