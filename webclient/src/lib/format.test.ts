import { describe, expect, it } from 'vitest';
import { avatarColour, dayKey, formatDay, formatFull, formatTime, initials, sameGroup, typingText } from './format';

describe('format', () => {
  it('makes initials from usernames', () => {
    expect(initials('grace_hopper')).toBe('GH');
    expect(initials('ada_1815')).toBe('AD');
    expect(initials('linus')).toBe('LI');
    expect(initials('x')).toBe('X');
    expect(initials('...')).toBe('..');
  });

  it('gives one colour per name, whatever its case', () => {
    expect(avatarColour('Alice')).toBe(avatarColour('alice'));
    expect(avatarColour('alice')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('names days relative to today', () => {
    const now = new Date(2026, 0, 10, 12, 0, 0);
    expect(formatDay(new Date(2026, 0, 10, 8).toISOString(), now)).toBe('Today');
    expect(formatDay(new Date(2026, 0, 9, 23).toISOString(), now)).toBe('Yesterday');
    expect(formatDay(new Date(2026, 0, 2, 8).toISOString(), now)).toMatch(/2/);
    expect(formatDay('garbage', now)).toBe('');
  });

  it('formats times and tolerates bad input', () => {
    expect(formatTime('2026-01-01T10:05:00Z')).not.toBe('');
    expect(formatTime('nope')).toBe('');
    expect(formatFull('nope')).toBe('');
    expect(dayKey('nope')).toBe('');
  });

  it('groups messages a few minutes apart on one day', () => {
    expect(sameGroup('2026-01-01T10:00:00Z', '2026-01-01T10:04:00Z')).toBe(true);
    expect(sameGroup('2026-01-01T10:00:00Z', '2026-01-01T10:06:00Z')).toBe(false);
    expect(sameGroup('bad', '2026-01-01T10:06:00Z')).toBe(false);
  });

  it('says who is typing', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['ann'])).toBe('ann is typing…');
    expect(typingText(['ann', 'bob'])).toBe('ann and bob are typing…');
    expect(typingText(['ann', 'bob', 'cy'])).toBe('3 people are typing…');
  });
});
