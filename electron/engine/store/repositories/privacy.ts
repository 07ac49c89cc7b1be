/**
 * Retention and erasure's SQL (schema 10; privacy-types.ts says what each method does). Deletes
 * run in bounded batches chosen by the caller, so one statement never holds the writer for long;
 * the audit trail is changed only with its gate open, inside the same transaction.
 */
import type {
  EraseCounts,
  PersonAudit,
  PersonContact,
  PersonRows,
  PrivacyRepository,
  TextRow,
} from '../privacy-types.js';
import { decodeJson, encodeJson } from './codec.js';
import type { RepositoryContext } from './context.js';
import { likeContaining } from './context.js';

interface RecordingRow {
  call_id: string;
  path: string;
  bytes: number;
}

const toFile = (r: RecordingRow) => ({ callId: r.call_id, path: r.path, bytes: r.bytes });

const OPEN_GATE = 'UPDATE audit_gate SET open = 1 WHERE id = 1';
const CLOSE_GATE = 'UPDATE audit_gate SET open = 0 WHERE id = 1';

export function createPrivacyRepository({ db, now }: RepositoryContext): PrivacyRepository {
  const d = db.dialect;
  const ids = (list: readonly (string | number)[]) => ({ $ids: encodeJson(list) });
  const like = (digits: string) => ({ $like: likeContaining(digits) });

  const count = async (sql: string, cutoff: number | null) =>
    cutoff === null ? 0 : ((await db.get<{ n: number }>(sql, { $cutoff: cutoff }))?.n ?? 0);

  return {
    async countBefore(cutoffs) {
      const recordingRow =
        cutoffs.recordings === null && cutoffs.calls === null
          ? undefined
          : await db.get<{ n: number; bytes: number | null }>(
              `SELECT count(*) AS n, sum(r.bytes) AS bytes FROM recordings r JOIN calls c ON c.id = r.call_id
               WHERE r.created_at < $rec OR (c.started_at < $calls AND c.state = 'done')`,
              { $rec: cutoffs.recordings ?? -1, $calls: cutoffs.calls ?? -1 },
            );
      const transcriptCutoff =
        cutoffs.transcripts === null
          ? cutoffs.calls
          : Math.max(cutoffs.transcripts, cutoffs.calls ?? -1);
      return {
        recordings: recordingRow?.n ?? 0,
        recordingBytes: recordingRow?.bytes ?? 0,
        transcripts: await count(
          `SELECT count(*) AS n FROM calls c JOIN utterances u ON u.call_id = c.id
           WHERE c.started_at < $cutoff AND c.state = 'done'`,
          transcriptCutoff,
        ),
        calls: await count(
          `SELECT count(*) AS n FROM calls WHERE started_at < $cutoff AND state = 'done'`,
          cutoffs.calls,
        ),
        contacts: await count(
          `SELECT count(*) AS n FROM contacts k WHERE k.updated_at < $cutoff
             AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.contact_id = k.id AND c.started_at >= $cutoff)
             AND NOT EXISTS (SELECT 1 FROM campaign_contacts cc WHERE cc.contact_id = k.id AND cc.status <> 'done')`,
          cutoffs.contacts,
        ),
        audit: await count('SELECT count(*) AS n FROM audit_log WHERE at < $cutoff', cutoffs.audit),
      };
    },

    async recordingsBefore(cutoff, limit) {
      const rows = await db.all<RecordingRow>(
        `SELECT call_id, path, bytes FROM recordings WHERE created_at < $cutoff
         ORDER BY created_at LIMIT $limit`,
        { $cutoff: cutoff, $limit: limit },
      );
      return rows.map(toFile);
    },

    async deleteRecordingRows(callIds) {
      if (callIds.length === 0) return 0;
      return (
        await db.run(`DELETE FROM recordings WHERE call_id IN ${d.jsonTexts('$ids')}`, ids(callIds))
      ).changes;
    },

    async deleteUtterancesBefore(cutoff, limit) {
      return (
        await db.run(
          `DELETE FROM utterances WHERE id IN (
             SELECT u.id FROM calls c JOIN utterances u ON u.call_id = c.id
             WHERE c.started_at < $cutoff AND c.state = 'done' LIMIT $limit)`,
          { $cutoff: cutoff, $limit: limit },
        )
      ).changes;
    },

    async callsBefore(cutoff, limit) {
      const calls = await db.all<{ id: string }>(
        `SELECT id FROM calls WHERE started_at < $cutoff AND state = 'done'
         ORDER BY started_at LIMIT $limit`,
        { $cutoff: cutoff, $limit: limit },
      );
      const callIds = calls.map((c) => c.id);
      const recordings =
        callIds.length === 0
          ? []
          : await db.all<RecordingRow>(
              `SELECT call_id, path, bytes FROM recordings WHERE call_id IN ${d.jsonTexts('$ids')}`,
              ids(callIds),
            );
      return { callIds, recordings: recordings.map(toFile) };
    },

    async deleteCalls(callIds) {
      if (callIds.length === 0) return 0;
      return (await db.run(`DELETE FROM calls WHERE id IN ${d.jsonTexts('$ids')}`, ids(callIds)))
        .changes;
    },

    async deleteContactsBefore(cutoff, limit) {
      return (
        await db.run(
          `DELETE FROM contacts WHERE id IN (
             SELECT k.id FROM contacts k WHERE k.updated_at < $cutoff
               AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.contact_id = k.id AND c.started_at >= $cutoff)
               AND NOT EXISTS (SELECT 1 FROM campaign_contacts cc WHERE cc.contact_id = k.id AND cc.status <> 'done')
             ORDER BY k.updated_at LIMIT $limit)`,
          { $cutoff: cutoff, $limit: limit },
        )
      ).changes;
    },

    deleteAuditBefore(cutoff, limit) {
      return db.transaction(async (tx) => {
        await tx.run(OPEN_GATE);
        const { changes } = await tx.run(
          `DELETE FROM audit_log WHERE id IN (
             SELECT id FROM audit_log WHERE at < $cutoff ORDER BY at LIMIT $limit)`,
          { $cutoff: cutoff, $limit: limit },
        );
        await tx.run(CLOSE_GATE);
        return changes;
      });
    },

    async findPerson(phones, digits) {
      const $phones = encodeJson(phones);
      const contacts = await db.all<{ id: number }>(
        `SELECT id FROM contacts WHERE phone IN ${d.jsonTexts('$phones')}`,
        { $phones },
      );
      const contactIds = contacts.map((c) => c.id);
      const calls = await db.all<{ id: string }>(
        `SELECT id FROM calls WHERE number IN ${d.jsonTexts('$phones')}
           OR contact_id IN ${d.jsonIntegers('$contacts')}`,
        { $phones, $contacts: encodeJson(contactIds) },
      );
      const callIds = calls.map((c) => c.id);
      const recordings = await db.all<RecordingRow>(
        `SELECT call_id, path, bytes FROM recordings WHERE call_id IN ${d.jsonTexts('$ids')}`,
        ids(callIds),
      );
      const labels = await db.all<{ clip_path: string }>(
        `SELECT clip_path FROM utterance_labels WHERE call_id IN ${d.jsonTexts('$ids')}`,
        ids(callIds),
      );
      const p = like(digits);
      const contactFields = await db.all<TextRow>(
        `SELECT id, fields AS text FROM contacts WHERE fields ${d.like} $like ESCAPE '\\'`,
        p,
      );
      const callNotes = await db.all<TextRow>(
        `SELECT id, coalesce(notes, '') AS text FROM calls WHERE notes ${d.like} $like ESCAPE '\\'`,
        p,
      );
      const utterances = await db.all<TextRow>(
        `SELECT id, text FROM utterances WHERE text ${d.like} $like ESCAPE '\\'`,
        p,
      );
      const callEvents = await db.all<TextRow>(
        `SELECT id, data AS text FROM call_events WHERE data ${d.like} $like ESCAPE '\\'`,
        p,
      );
      const audit = await db.all<PersonAudit>(
        `SELECT id, at, actor, action, subject, details FROM audit_log
         WHERE subject ${d.like} $like ESCAPE '\\' OR details ${d.like} $like ESCAPE '\\'`,
        p,
      );
      return {
        contactIds,
        callIds,
        recordings: recordings.map(toFile),
        labelClips: labels.map((l) => l.clip_path),
        contactFields,
        callNotes,
        utterances,
        callEvents,
        audit,
      } satisfies PersonRows;
    },

    async contactsByIds(contactIds) {
      return db.all<PersonContact>(
        `SELECT k.id, l.name AS list, k.phone, k.name, k.time_zone AS timeZone, k.fields,
                k.consent_source AS consentSource, k.consent_at AS consentAt,
                k.created_at AS createdAt, k.updated_at AS updatedAt
         FROM contacts k JOIN contact_lists l ON l.id = k.list_id
         WHERE k.id IN ${d.jsonIntegers('$ids')} ORDER BY k.id`,
        ids(contactIds),
      );
    },

    async auditBySubjects(subjects) {
      return db.all<PersonAudit>(
        `SELECT id, at, actor, action, subject, details FROM audit_log
         WHERE subject IN ${d.jsonTexts('$ids')} ORDER BY id`,
        ids(subjects),
      );
    },

    async hasOpenCall(phones) {
      const row = await db.get(
        `SELECT 1 AS one FROM calls WHERE number IN ${d.jsonTexts('$phones')}
           AND state NOT IN ('done', 'queued', 'wrap_up') LIMIT 1`,
        { $phones: encodeJson(phones) },
      );
      return row !== undefined;
    },

    erase(plan) {
      return db.transaction(async (tx) => {
        const counts: EraseCounts = {
          contacts: 0,
          calls: 0,
          recordings: 0,
          utterances: 0,
          labels: 0,
          rewritten: 0,
          audit: 0,
          dnc: 0,
        };
        const callIds = ids(plan.callIds);
        counts.recordings = (
          await tx.run(`DELETE FROM recordings WHERE call_id IN ${d.jsonTexts('$ids')}`, callIds)
        ).changes;
        counts.utterances = (
          await tx.run(`DELETE FROM utterances WHERE call_id IN ${d.jsonTexts('$ids')}`, callIds)
        ).changes;
        counts.labels = (
          await tx.run(
            `DELETE FROM utterance_labels WHERE call_id IN ${d.jsonTexts('$ids')}`,
            callIds,
          )
        ).changes;
        // A lease or a campaign's last call naming these calls goes with the contacts below;
        // other contacts' campaign rows may still name a call id (no personal data in it).
        counts.calls = (
          await tx.run(`DELETE FROM calls WHERE id IN ${d.jsonTexts('$ids')}`, callIds)
        ).changes;
        counts.contacts = (
          await tx.run(
            `DELETE FROM contacts WHERE id IN ${d.jsonIntegers('$ids')}`,
            ids(plan.contactIds),
          )
        ).changes;
        counts.rewritten += await rewriteWith(
          tx,
          'UPDATE contacts SET fields = $text WHERE id = $id',
          plan.contactFields,
        );
        counts.rewritten += await rewriteWith(
          tx,
          'UPDATE calls SET notes = $text WHERE id = $id',
          plan.callNotes,
        );
        counts.rewritten += await rewriteWith(
          tx,
          'UPDATE utterances SET text = $text WHERE id = $id',
          plan.utterances,
        );
        counts.rewritten += await rewriteWith(
          tx,
          'UPDATE call_events SET data = $text WHERE id = $id',
          plan.callEvents,
        );
        if (plan.audit.length > 0) {
          await tx.run(OPEN_GATE);
          for (const row of plan.audit) {
            counts.audit += (
              await tx.run(
                'UPDATE audit_log SET subject = $subject, details = $details WHERE id = $id',
                {
                  $id: row.id,
                  $subject: row.subject,
                  $details: row.details,
                },
              )
            ).changes;
          }
          await tx.run(CLOSE_GATE);
        }
        counts.dnc = (
          await tx.run(`DELETE FROM dnc_entries WHERE phone IN ${d.jsonTexts('$phones')}`, {
            $phones: encodeJson(plan.dncPhones),
          })
        ).changes;
        if (plan.dncDigest) {
          await tx.run(
            `INSERT INTO dnc_hashes (digest, reason, created_at) VALUES ($digest, 'erased on request', $now)
             ON CONFLICT (digest) DO NOTHING`,
            { $digest: plan.dncDigest, $now: now() },
          );
        }
        return counts;
      });
    },

    async checkpoint() {
      // PostgreSQL has no WAL file of ours to truncate (its own checkpoints and VACUUM reclaim).
      if (d.name === 'sqlite') await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
    },

    async hasDncDigest(digest) {
      return (
        (await db.get('SELECT 1 AS one FROM dnc_hashes WHERE digest = $digest', {
          $digest: digest,
        })) !== undefined
      );
    },

    async dncDigestsAmong(digests) {
      if (digests.length === 0) return new Set();
      const rows = await db.all<{ digest: string }>(
        `SELECT digest FROM dnc_hashes WHERE digest IN ${d.jsonTexts('$d')}`,
        { $d: encodeJson(digests) },
      );
      return new Set(rows.map((r) => r.digest));
    },

    async addDncDigest(digest, reason) {
      return (
        (
          await db.run(
            `INSERT INTO dnc_hashes (digest, reason, created_at) VALUES ($digest, $reason, $now)
             ON CONFLICT (digest) DO NOTHING`,
            { $digest: digest, $reason: reason, $now: now() },
          )
        ).changes > 0
      );
    },

    async removeDncDigest(digest) {
      return (
        (await db.run('DELETE FROM dnc_hashes WHERE digest = $digest', { $digest: digest }))
          .changes > 0
      );
    },

    async countDncDigests() {
      return (await db.get<{ n: number }>('SELECT count(*) AS n FROM dnc_hashes'))?.n ?? 0;
    },

    async getState(key) {
      const row = await db.get<{ value: string }>(
        'SELECT value FROM privacy_state WHERE key = $key',
        { $key: key },
      );
      return row ? decodeJson(row.value, `privacy_state.${key}`) : null;
    },

    async initState(key, value) {
      await db.run(
        `INSERT INTO privacy_state (key, value, updated_at) VALUES ($key, $value, $now)
         ON CONFLICT (key) DO NOTHING`,
        { $key: key, $value: encodeJson(value), $now: now() },
      );
      const row = await db.get<{ value: string }>(
        'SELECT value FROM privacy_state WHERE key = $key',
        { $key: key },
      );
      if (!row) throw new Error(`privacy_state.${key} was not stored`);
      return decodeJson(row.value, `privacy_state.${key}`);
    },

    async setState(key, value) {
      await db.run(
        `INSERT INTO privacy_state (key, value, updated_at) VALUES ($key, $value, $now)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        { $key: key, $value: encodeJson(value), $now: now() },
      );
    },
  };
}

/** Writes each row's rewritten text back (the number removed). */
async function rewriteWith(
  tx: Pick<RepositoryContext['db'], 'run'>,
  sql: string,
  rows: readonly TextRow[],
): Promise<number> {
  let n = 0;
  for (const row of rows) n += (await tx.run(sql, { $id: row.id, $text: row.text })).changes;
  return n;
}
