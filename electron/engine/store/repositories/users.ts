import type { UserRecord, UserRepository } from '../types.js';
import { decodeJsonArray, encodeJson } from './codec.js';
import { notFound, type RepositoryContext, returned } from './context.js';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: UserRecord['role'];
  skills: string;
  status: UserRecord['status'];
  created_at: number;
}

const COLUMNS = 'id, username, display_name, role, skills, status, created_at';

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    skills: decodeJsonArray(row.skills, `user "${row.username}" skills`).map(String),
    status: row.status,
    createdAt: row.created_at,
  };
}

export function createUserRepository({ db, now }: RepositoryContext): UserRepository {
  return {
    async create(input) {
      const row = await db.get<UserRow>(
        `INSERT INTO users (username, display_name, role, skills, created_at)
         VALUES ($username, $display_name, $role, $skills, $created_at)
         RETURNING ${COLUMNS}`,
        {
          $username: input.username,
          $display_name: input.displayName,
          $role: input.role,
          $skills: encodeJson(input.skills),
          $created_at: now(),
        },
      );
      return toUser(returned(row));
    },

    async list() {
      return (await db.all<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`)).map(toUser);
    },

    async get(id) {
      const row = await db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $id`, { $id: id });
      return row ? toUser(row) : null;
    },

    async setStatus(id, status) {
      const { changes } = await db.run('UPDATE users SET status = $status WHERE id = $id', {
        $id: id,
        $status: status,
      });
      if (changes === 0) throw notFound(`User ${id} does not exist.`);
    },
  };
}
