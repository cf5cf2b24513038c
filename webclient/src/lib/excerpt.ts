/**
 * A search result's excerpt: the part of a message body around the first word
 * matching the query, split into runs so the matched words can be marked. A word
 * matches as the server's search does: case-insensitive, whole or as a prefix,
 * words being runs of letters and digits.
 */

export interface ExcerptPart {
  text: string;
  match: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The query's words, lower-cased, each once. */
export function queryWords(query: string): string[] {
  return [...new Set((query.match(WORD) ?? []).map((w) => w.toLowerCase()))];
}

/** Split `body` into matched and unmatched runs, cut to about `max` characters. */
export function excerptParts(body: string, query: string, max = 160): ExcerptPart[] {
  const words = queryWords(query);
  const flat = body.replace(/\s+/g, ' ').trim();
  const isMatch = (word: string) => {
    const lower = word.toLowerCase();
    return words.some((w) => lower.startsWith(w));
  };
  const matches: { start: number; end: number }[] = [];
  for (const found of flat.matchAll(WORD)) {
    if (isMatch(found[0])) matches.push({ start: found.index, end: found.index + found[0].length });
  }
  // Start a little before the first match, so it shows with some context.
  const first = matches[0]?.start ?? 0;
  let from = first > max / 3 ? first - Math.floor(max / 4) : 0;
  if (from > 0) {
    const space = flat.indexOf(' ', from);
    from = space >= 0 && space < first ? space + 1 : from;
  }
  const to = Math.min(flat.length, from + max);
  const parts: ExcerptPart[] = [];
  if (from > 0) parts.push({ text: '…', match: false });
  let at = from;
  for (const { start, end } of matches) {
    if (end <= from || start >= to) continue;
    const s = Math.max(start, from);
    if (s > at) parts.push({ text: flat.slice(at, s), match: false });
    parts.push({ text: flat.slice(s, Math.min(end, to)), match: true });
    at = Math.min(end, to);
  }
  if (at < to) parts.push({ text: flat.slice(at, to), match: false });
  if (to < flat.length) parts.push({ text: '…', match: false });
  return parts;
}
