/**
 * `/admin/seed`: generates realistic conversations for one user, which the service
 * writes in one commit (one log version, SPEC §2: one batch = one version): ~60% groups (`sg_`), ~38% single chats
 * (`si_a_b`, first with the given peers, then with generated users), ~2% notification
 * conversations (`sn_`); names, a latest message, send times spread over 90 days and
 * rounded to the minute (so equal times, and the ID tie-break, occur), ~20% with unread
 * messages, ~1% pinned, some muted. Peers join every seeded group, so
 * `/admin/send_message` reaches them.
 */
import { randomBytes } from 'node:crypto';
import { defaultConversation, singleChatID, type Conversation, type ConversationType, type RecvMsgOpt } from '../../protocol/index.js';
import { TEXT_CONTENT_TYPE } from './send-message.js';

const FIRST = ['Ada', 'Bo', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goro', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vik', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Ito', 'Khan', 'Li', 'Meyer', 'Novak', 'Okafor', 'Park', 'Rossi', 'Silva', 'Tan', 'Weber', 'Young'];
const TEAM = ['Atlas', 'Beacon', 'Cobalt', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Kestrel', 'Lumen', 'Mosaic', 'Nimbus', 'Orbit', 'Pioneer'];
const KIND = ['project', 'team', 'friends', 'family', 'book club', 'launch', 'support', 'design', 'on-call', 'trip'];
const TEXT = [
  'See you tomorrow!',
  'Can you review the PR?',
  'Sounds good 👍',
  'The build is green again',
  'Lunch at 12?',
  'I pushed the fix',
  'Photos from the weekend',
  'Meeting moved to 3pm',
  'Thanks a lot!',
  'Who has the keys?',
  'Happy birthday 🎉',
  'Let me check and get back to you',
];
const DAY = 24 * 3600 * 1000;

/** mulberry32: a small seeded PRNG so a seed run is reproducible from its tag */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a seed run writes: the records (one commit), display names, and the groups the peers join. */
export interface SeedPlan {
  records: Conversation[];
  names: Map<string, string>;
  groups: string[];
}

/** Generates `count` conversations of `userID` (no I/O: the service writes them). */
export function seedPlan(userID: string, count: number, peers: readonly string[]): SeedPlan {
  const tagBytes = randomBytes(4);
  const tag = tagBytes.toString('hex');
  const rand = prng(tagBytes.readUInt32LE(0));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const now = Date.now();
  const records: Conversation[] = [];
  const names = new Map<string, string>();
  const groups: string[] = [];
  let peerIndex = 0;
  for (let i = 0; i < count; i++) {
    const r = rand();
    let type: ConversationType;
    let conversationID: string;
    let peer = '';
    let groupID = '';
    let showName: string;
    if (peerIndex < peers.length || (r >= 0.6 && r < 0.98)) {
      type = 1;
      peer = peerIndex < peers.length ? peers[peerIndex++]! : `user_${tag}_${i}`;
      conversationID = singleChatID(userID, peer);
      showName = names.get(peer) ?? `${pick(FIRST)} ${pick(LAST)}`;
      names.set(peer, showName);
    } else if (r < 0.6) {
      type = 3;
      groupID = `g${tag}_${i}`;
      conversationID = `sg_${groupID}`;
      showName = `${pick(TEAM)} ${pick(KIND)}`;
      groups.push(conversationID);
    } else {
      type = 4;
      conversationID = `sn_${tag}_${i}`;
      showName = pick(['System notices', 'Security alerts', 'Friend requests', 'Group invitations']);
    }
    const maxSeq = 1 + Math.floor(rand() * 500);
    const unread = rand() < 0.2 ? 1 + Math.floor(rand() * 20) : 0;
    const sendTime = Math.floor((now - rand() * 90 * DAY) / 60_000) * 60_000;
    const sender = type === 1 ? (rand() < 0.5 ? peer : userID) : `user_${tag}_${Math.floor(rand() * 1000)}`;
    const m = rand();
    const recvMsgOpt: RecvMsgOpt = m < 0.05 ? 1 : m < 0.08 ? 2 : 0;
    records.push(
      defaultConversation(conversationID, userID, {
        userID: peer,
        showName,
        faceURL: type === 4 ? '' : `https://example.invalid/avatar/${encodeURIComponent(peer || groupID)}.png`,
        recvMsgOpt,
        isPinned: rand() < 0.01,
        groupAtType: type === 3 && rand() < 0.03 ? 1 : 0,
        maxSeq,
        hasReadSeq: Math.max(0, maxSeq - unread),
        latestMsg: {
          clientMsgID: `${tag}${i.toString(16).padStart(8, '0')}`,
          seq: maxSeq,
          sendID: sender,
          senderNickname: sender === userID ? userID : (names.get(sender) ?? sender),
          contentType: TEXT_CONTENT_TYPE,
          text: pick(TEXT),
          sendTime,
        },
        latestMsgSendTime: sendTime,
      }),
    );
  }
  return { records, names, groups };
}
