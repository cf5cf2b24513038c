/** Display helpers: times, days, avatar colours. */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatTime(iso: string): string {
  const date = parse(iso);
  return date ? timeFormat.format(date) : '';
}

export function formatFull(iso: string): string {
  const date = parse(iso);
  return date ? fullFormat.format(date) : '';
}

export function dayKey(iso: string): string {
  const date = parse(iso);
  if (!date) return '';
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function formatDay(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return '';
  const key = dayKey(iso);
  if (key === dayKey(now.toISOString())) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday.toISOString())) return 'Yesterday';
  return dayFormat.format(date);
}

/** Deep enough for white initials to stay readable on every one of them. */
const AVATAR_COLOURS = [
  '#4f46e5',
  '#7c3aed',
  '#c026d3',
  '#db2777',
  '#e11d48',
  '#c2410c',
  '#b45309',
  '#15803d',
  '#0f766e',
  '#0e7490',
  '#0369a1',
  '#1d4ed8',
] as const;

/** A stable colour per username, so a person keeps one colour everywhere. */
export function avatarColour(username: string): string {
  let hash = 0;
  for (const ch of username.toLowerCase()) hash = (hash * 33 + ch.charCodeAt(0)) % 1_000_003;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length] ?? AVATAR_COLOURS[0];
}

/** "grace_hopper" → "GH", "ada_1815" → "AD", "x" → "X". */
export function initials(username: string): string {
  const parts = username.split(/[._-]+/).filter(Boolean);
  const first = parts[0] ?? username;
  const next = parts[1]?.[0];
  const second = next !== undefined && /\p{L}/u.test(next) ? next : (first[1] ?? '');
  return ((first[0] ?? '?') + second).toUpperCase();
}

/** Within this many ms, consecutive messages of one sender share a header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export function sameGroup(previousIso: string, nextIso: string): boolean {
  const a = parse(previousIso);
  const b = parse(nextIso);
  if (!a || !b) return false;
  return b.getTime() - a.getTime() < GROUP_WINDOW_MS && dayKey(previousIso) === dayKey(nextIso);
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0] ?? ''} is typing…`;
  if (names.length === 2) return `${names[0] ?? ''} and ${names[1] ?? ''} are typing…`;
  return `${names.length} people are typing…`;
}
