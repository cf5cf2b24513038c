import { describe, expect, it } from 'vitest';
import { alice, message } from '../test/factories';
import {
  EMPTY_TIMELINE,
  findByClientId,
  findById,
  firstMissingSeq,
  firstUnreadSeq,
  highestSeq,
  lowestSeq,
  mergeMessages,
  newerCopy,
  orderedMessages,
  unreadFromOthers,
} from './timeline';

describe('mergeMessages', () => {
  it('keys by seq: every message once, in ascending order, whatever the arrival order', () => {
    let timeline = mergeMessages(EMPTY_TIMELINE, [message(3), message(1)]);
    timeline = mergeMessages(timeline, [message(2), message(3), message(5)]);
    timeline = mergeMessages(timeline, [message(4), message(1)]);
    expect(timeline.seqs).toEqual([1, 2, 3, 4, 5]);
    expect(orderedMessages(timeline).map((m) => m.body)).toEqual([
      'message 1',
      'message 2',
      'message 3',
      'message 4',
      'message 5',
    ]);
  });

  it('returns the same object when nothing changes', () => {
    const timeline = mergeMessages(EMPTY_TIMELINE, [message(1), message(2)]);
    expect(mergeMessages(timeline, [message(1)])).toBe(timeline);
    expect(mergeMessages(timeline, [])).toBe(timeline);
  });

  it('replaces a copy in place without re-sorting', () => {
    const timeline = mergeMessages(EMPTY_TIMELINE, [message(1), message(2)]);
    const edited = mergeMessages(timeline, [
      message(2, { body: 'fixed', edited_at: '2026-01-01T11:00:00Z' }),
    ]);
    expect(edited.seqs).toBe(timeline.seqs);
    expect(edited.bySeq[2]?.body).toBe('fixed');
  });
});

describe('newerCopy', () => {
  const plain = message(1);
  const edited = message(1, { body: 'edited', edited_at: '2026-01-01T11:00:00Z' });
  const later = message(1, { body: 'edited again', edited_at: '2026-01-01T12:00:00Z' });
  const deleted = message(1, { body: '', deleted: true, edited_at: null });

  it('keeps the first copy when none is held', () => {
    expect(newerCopy(undefined, plain)).toBe(plain);
  });
  it('a late unedited copy does not undo an edit', () => {
    expect(newerCopy(edited, plain)).toBe(edited);
  });
  it('the latest edit wins', () => {
    expect(newerCopy(edited, later)).toBe(later);
    expect(newerCopy(later, edited)).toBe(later);
  });
  it('deletion wins over everything', () => {
    expect(newerCopy(deleted, later)).toBe(deleted);
    expect(newerCopy(later, deleted)).toBe(deleted);
  });
  it('on a tie the incoming copy wins, unless it is the same', () => {
    const again = { ...plain };
    expect(newerCopy(plain, again)).toBe(plain);
    const changed = { ...plain, body: 'changed' };
    expect(newerCopy(plain, changed)).toBe(changed);
  });
  it('treats an unparsable time as older', () => {
    const bad = message(1, { edited_at: 'not a date' });
    expect(newerCopy(edited, bad)).toBe(edited);
  });
});

describe('queries', () => {
  const timeline = mergeMessages(EMPTY_TIMELINE, [message(4), message(5), message(7), message(9)]);

  it('finds the range and the first hole', () => {
    expect(lowestSeq(timeline)).toBe(4);
    expect(highestSeq(timeline)).toBe(9);
    expect(firstMissingSeq(timeline)).toBe(6);
    expect(firstMissingSeq(mergeMessages(timeline, [message(6), message(8)]))).toBeNull();
  });

  it('handles the empty timeline', () => {
    expect(lowestSeq(EMPTY_TIMELINE)).toBe(0);
    expect(highestSeq(EMPTY_TIMELINE)).toBe(0);
    expect(firstMissingSeq(EMPTY_TIMELINE)).toBeNull();
  });

  it('finds by client_id and by id', () => {
    expect(findByClientId(timeline, 'client-7')?.seq).toBe(7);
    expect(findByClientId(timeline, 'nope')).toBeUndefined();
    expect(findById(timeline, 1009)?.seq).toBe(9);
    expect(findById(timeline, 1)).toBeUndefined();
  });
});

describe('unread from others', () => {
  const held = mergeMessages(EMPTY_TIMELINE, [
    message(1),
    message(2),
    message(3, { sender: alice }),
    message(4),
    message(5, { sender: alice }),
  ]);

  it('puts the divider above the newest `unread` messages of others, up to the top at opening', () => {
    expect(firstUnreadSeq(held, 5, 2, alice.id)).toBe(2);
    expect(firstUnreadSeq(held, 5, 1, alice.id)).toBe(4);
    // Messages that arrived after the room was opened do not move it.
    expect(firstUnreadSeq(held, 4, 1, alice.id)).toBe(4);
    // More unread than loaded: the oldest loaded.
    expect(firstUnreadSeq(held, 5, 10, alice.id)).toBe(1);
    expect(firstUnreadSeq(held, 5, 0, alice.id)).toBeNull();
  });

  it("one's own messages above the read marker are not news", () => {
    expect(unreadFromOthers(held, 4, alice.id)).toBe(false);
    expect(unreadFromOthers(held, 3, alice.id)).toBe(true);
    expect(unreadFromOthers(EMPTY_TIMELINE, 0, alice.id)).toBe(false);
  });
});
