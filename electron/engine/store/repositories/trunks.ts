import type { SqlValue } from '../database.js';
import type { NewTrunk, TrunkChanges, TrunkRecord, TrunkRepository } from '../types.js';
import { decodeFlag, encodeFlag } from './codec.js';
import { notFound, type RepositoryContext, returned } from './context.js';

interface TrunkRow {
  id: number;
  name: string;
  uri: string;
  domain: string;
  username: string | null;
  password_cipher: string | null;
  register: number;
  caller_id: string | null;
  max_concurrent_calls: number;
  role: TrunkRecord['role'];
  transfer_mode: TrunkRecord['transferMode'];
  created_at: number;
  updated_at: number;
}

const COLUMNS =
  'id, name, uri, domain, username, password_cipher, register, caller_id, max_concurrent_calls, role, transfer_mode, created_at, updated_at';

/** The column behind each field an update may set. */
const COLUMN_OF: Record<keyof TrunkChanges, string> = {
  name: 'name',
  uri: 'uri',
  domain: 'domain',
  username: 'username',
  passwordCipher: 'password_cipher',
  register: 'register',
  callerId: 'caller_id',
  maxConcurrentCalls: 'max_concurrent_calls',
  role: 'role',
  transferMode: 'transfer_mode',
};

function toTrunk(row: TrunkRow): TrunkRecord {
  return {
    id: row.id,
    name: row.name,
    uri: row.uri,
    domain: row.domain,
    username: row.username,
    passwordCipher: row.password_cipher,
    register: decodeFlag(row.register),
    callerId: row.caller_id,
    maxConcurrentCalls: row.max_concurrent_calls,
    role: row.role,
    transferMode: row.transfer_mode,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createTrunkRepository({ db, now }: RepositoryContext): TrunkRepository {
  return {
    async create(input: NewTrunk) {
      const row = await db.get<TrunkRow>(
        `INSERT INTO trunks (name, uri, domain, username, password_cipher, register, caller_id, max_concurrent_calls, role, transfer_mode, created_at, updated_at)
         VALUES ($name, $uri, $domain, $username, $password_cipher, $register, $caller_id, $max_concurrent_calls, $role, $transfer_mode, $now, $now)
         RETURNING ${COLUMNS}`,
        {
          $name: input.name,
          $uri: input.uri,
          $domain: input.domain,
          $username: input.username,
          $password_cipher: input.passwordCipher,
          $register: encodeFlag(input.register),
          $caller_id: input.callerId,
          $max_concurrent_calls: input.maxConcurrentCalls,
          $role: input.role,
          $transfer_mode: input.transferMode ?? 'bridge',
          $now: now(),
        },
      );
      return toTrunk(returned(row));
    },

    async list() {
      // Primary trunks first: the order the dialer tries them in.
      return (
        await db.all<TrunkRow>(`SELECT ${COLUMNS} FROM trunks ORDER BY role = 'backup', name`)
      ).map(toTrunk);
    },

    async get(id) {
      const row = await db.get<TrunkRow>(`SELECT ${COLUMNS} FROM trunks WHERE id = $id`, {
        $id: id,
      });
      return row ? toTrunk(row) : null;
    },

    async getByName(name) {
      const row = await db.get<TrunkRow>(`SELECT ${COLUMNS} FROM trunks WHERE name = $name`, {
        $name: name,
      });
      return row ? toTrunk(row) : null;
    },

    async update(name, changes) {
      // Values are bound as $<column> so a clashing new name is named in the CONFLICT message.
      const params: Record<string, SqlValue> = { $current_name: name, $updated_at: now() };
      const sets = ['updated_at = $updated_at'];
      for (const [key, column] of Object.entries(COLUMN_OF) as Array<
        [keyof TrunkChanges, string]
      >) {
        const value = changes[key];
        if (value === undefined) continue;
        sets.push(`${column} = $${column}`);
        params[`$${column}`] = typeof value === 'boolean' ? encodeFlag(value) : value;
      }
      const row = await db.get<TrunkRow>(
        `UPDATE trunks SET ${sets.join(', ')} WHERE name = $current_name RETURNING ${COLUMNS}`,
        params,
      );
      if (!row) throw notFound(`No trunk named "${name}".`);
      return toTrunk(row);
    },

    async remove(name) {
      const { changes } = await db.run('DELETE FROM trunks WHERE name = $name', { $name: name });
      return changes > 0;
    },
  };
}
