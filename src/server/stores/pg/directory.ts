/**
 * `ConversationDirectory` on PostgreSQL (the demo directory behind `/admin/send_message`
 * and `/admin/seed`): explicit members and conversation details in two tables; whoever
 * holds a record of a conversation takes part too (the `conversation_id` index).
 */
import type { ConversationDirectory, ConversationInfo, MemberInfo } from '../../ports.js';
import type { Queryable } from './reads.js';

interface InfoRow {
  conv: { seq: number; show_name: string; face_url: string } | null;
  members: string[];
  holders: Array<{ u: string; maxSeq: number; type: number; showName: string; faceURL: string }>;
}

/** The directory port over a pool. */
export function pgDirectory(db: Queryable): ConversationDirectory {
  return {
    async conversationInfo(conversationID): Promise<ConversationInfo | null> {
      const r = await db.query<InfoRow>(
        `SELECT (SELECT row_to_json(c) FROM convsync_conversations c WHERE conversation_id = $1) AS conv,
                (SELECT coalesce(array_agg(user_id ORDER BY user_id), '{}') FROM convsync_members WHERE conversation_id = $1) AS members,
                (SELECT coalesce(json_agg(json_build_object('u', user_id, 'maxSeq', (record->>'maxSeq')::float8,
                   'type', (record->>'conversationType')::int, 'showName', record->>'showName', 'faceURL', record->>'faceURL')
                   ORDER BY user_id), '[]')
                 FROM convsync_records WHERE conversation_id = $1) AS holders`,
        [conversationID],
      );
      const row = r.rows[0]!;
      const members = new Set(row.members);
      let seq = Number(row.conv?.seq ?? 0);
      let showName = row.conv?.show_name ?? '';
      let faceURL = row.conv?.face_url ?? '';
      for (const h of row.holders) {
        members.add(h.u);
        if (h.maxSeq > seq) seq = h.maxSeq;
        if (showName === '' && h.type !== 1) {
          showName = h.showName;
          faceURL = h.faceURL;
        }
      }
      if (!row.conv && members.size === 0) return null;
      return { members: [...members], seq, showName, faceURL };
    },

    async addMembers(conversationIDs, userIDs, info: MemberInfo = {}) {
      if (conversationIDs.length === 0) return;
      await db.query(
        `WITH c AS (
           INSERT INTO convsync_conversations (conversation_id, seq, show_name, face_url)
           SELECT id, coalesce($3::bigint, 0), coalesce($4::text, ''), coalesce($5::text, '') FROM unnest($1::text[]) AS x(id)
           ON CONFLICT (conversation_id) DO UPDATE SET
             seq = greatest(convsync_conversations.seq, coalesce($3::bigint, 0)),
             show_name = coalesce($4::text, convsync_conversations.show_name),
             face_url = coalesce($5::text, convsync_conversations.face_url))
         INSERT INTO convsync_members (conversation_id, user_id)
         SELECT c, u FROM unnest($1::text[]) AS x(c) CROSS JOIN unnest($2::text[]) AS y(u)
         ON CONFLICT DO NOTHING`,
        [[...new Set(conversationIDs)], [...new Set(userIDs)], info.seq ?? null, info.showName ?? null, info.faceURL ?? null],
      );
    },

    async setUserNames(names) {
      if (names.size === 0) return;
      await db.query(
        `INSERT INTO convsync_names (user_id, name) SELECT u, n FROM unnest($1::text[], $2::text[]) AS x(u, n)
         ON CONFLICT (user_id) DO UPDATE SET name = excluded.name`,
        [[...names.keys()], [...names.values()]],
      );
    },

    async userName(userID) {
      const r = await db.query<{ name: string }>('SELECT name FROM convsync_names WHERE user_id = $1', [userID]);
      return r.rows[0]?.name;
    },
  };
}
