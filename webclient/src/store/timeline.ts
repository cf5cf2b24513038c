/**
 * A room's messages as a map keyed by `seq`, plus the sorted list of seqs. Whatever
 * path a message arrives by (REST page, join ack, live event, send ack), it is merged
 * here, so each seq shows once and in order.
 */
import type { Message } from '../api/events';

export interface Timeline {
  readonly bySeq: Readonly<Record<number, Message>>;
  /** Ascending, no repeats. */
  readonly seqs: readonly number[];
}

export const EMPTY_TIMELINE: Timeline = { bySeq: {}, seqs: [] };

function time(value: string | null): number {
  if (value === null) return Number.NEGATIVE_INFINITY;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/**
 * Which of two copies of one message to keep. A copy may arrive late (a join ack
 * racing a `message_updated`), so the most advanced state wins: deleted beats
 * everything, then the latest edit; on a tie the incoming copy, unless it is the same.
 */
export function newerCopy(existing: Message | undefined, incoming: Message): Message {
  if (existing === undefined) return incoming;
  if (existing.deleted !== incoming.deleted) return existing.deleted ? existing : incoming;
  if (time(existing.edited_at) > time(incoming.edited_at)) return existing;
  // Same state again (a duplicate delivery): keep the held object, so nothing re-renders.
  if (existing.body === incoming.body && existing.edited_at === incoming.edited_at) {
    return existing;
  }
  return incoming;
}

/** Merge messages into a timeline; returns the same object when nothing changed. */
export function mergeMessages(timeline: Timeline, messages: readonly Message[]): Timeline {
  let bySeq: Record<number, Message> | null = null;
  let added = false;
  for (const message of messages) {
    const current: Readonly<Record<number, Message>> = bySeq ?? timeline.bySeq;
    const existing = current[message.seq];
    const kept = newerCopy(existing, message);
    if (kept === existing) continue;
    bySeq ??= { ...timeline.bySeq };
    if (existing === undefined) added = true;
    bySeq[message.seq] = kept;
  }
  if (bySeq === null) return timeline;
  const seqs = added
    ? Object.keys(bySeq)
        .map(Number)
        .sort((a, b) => a - b)
    : timeline.seqs;
  return { bySeq, seqs };
}

export function orderedMessages(timeline: Timeline): Message[] {
  const out: Message[] = [];
  for (const seq of timeline.seqs) {
    const message = timeline.bySeq[seq];
    if (message) out.push(message);
  }
  return out;
}

export function highestSeq(timeline: Timeline): number {
  return timeline.seqs.length === 0 ? 0 : (timeline.seqs[timeline.seqs.length - 1] ?? 0);
}

export function lowestSeq(timeline: Timeline): number {
  return timeline.seqs.length === 0 ? 0 : (timeline.seqs[0] ?? 0);
}

/**
 * The lowest seq missing between the lowest and the highest held (a hole left by a
 * resume whose ack had more than it could carry), or null when the range is whole.
 */
export function firstMissingSeq(timeline: Timeline): number | null {
  const { seqs } = timeline;
  for (let i = 1; i < seqs.length; i += 1) {
    const previous = seqs[i - 1] ?? 0;
    if ((seqs[i] ?? 0) !== previous + 1) return previous + 1;
  }
  return null;
}

export function findByClientId(timeline: Timeline, clientId: string): Message | undefined {
  for (let i = timeline.seqs.length - 1; i >= 0; i -= 1) {
    const message = timeline.bySeq[timeline.seqs[i] ?? -1];
    if (message?.client_id === clientId) return message;
  }
  return undefined;
}

export function findById(timeline: Timeline, messageId: number): Message | undefined {
  for (let i = timeline.seqs.length - 1; i >= 0; i -= 1) {
    const message = timeline.bySeq[timeline.seqs[i] ?? -1];
    if (message?.id === messageId) return message;
  }
  return undefined;
}

/**
 * Where the "new messages" divider goes: counting back from `lastSeq` (the room's
 * top when it was opened), the `unread` newest messages of others; the seq of the
 * oldest of them, or of the oldest held when fewer are loaded. Null: no divider.
 */
export function firstUnreadSeq(
  timeline: Timeline,
  lastSeq: number,
  unread: number,
  meId: number,
): number | null {
  if (unread <= 0) return null;
  let counted = 0;
  let first: number | null = null;
  for (let i = timeline.seqs.length - 1; i >= 0; i -= 1) {
    const seq = timeline.seqs[i] ?? 0;
    if (seq > lastSeq) continue;
    const message = timeline.bySeq[seq];
    if (!message || message.sender.id === meId) continue;
    first = seq;
    counted += 1;
    if (counted >= unread) break;
  }
  return first;
}

/** Whether anything above the read marker came from someone else. */
export function unreadFromOthers(timeline: Timeline, readSeq: number, meId: number): boolean {
  for (let i = timeline.seqs.length - 1; i >= 0; i -= 1) {
    const seq = timeline.seqs[i] ?? 0;
    if (seq <= readSeq) return false;
    if (timeline.bySeq[seq]?.sender.id !== meId) return true;
  }
  return false;
}
