/**
 * The little formatting a message body may carry, parsed into a tree that
 * MessageBody renders as React elements — never as HTML, so no body can inject
 * markup. Recognised: ``` code blocks ```, `inline code`, **bold**, *italic*, and
 * http(s) and mailto links; anything else (other URL schemes included) is text.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'link'; href: string; text: string };

export type Block =
  | { type: 'codeblock'; text: string; lang: string }
  | { type: 'inline'; children: Inline[] };

const FENCE = '```';
const LANG = /^[\w+#.-]{1,20}$/;
/** Nesting deeper than this is left as text. */
const MAX_DEPTH = 4;

// Leftmost match wins; at one position the order of the alternatives decides.
const INLINE = new RegExp(
  [
    '`(?<code>[^`\\n]+)`',
    '(?<link>\\b(?:https?:\\/\\/|mailto:)[^\\s<>]+)',
    '\\*\\*(?<strong>(?=\\S)[\\s\\S]+?(?<=\\S))\\*\\*',
    '(?<![\\w*])\\*(?<em>(?=[^\\s*])[\\s\\S]+?(?<=[^\\s*]))\\*(?![\\w*])',
  ].join('|'),
  'giu',
);

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** A link's href when it is one we render, else null (it stays text). */
export function safeHref(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol === 'mailto:' ? url.pathname.length === 0 : url.hostname.length === 0) {
    return null;
  }
  return url.href;
}

/** Sentence punctuation after a URL is not part of it; nor is an unmatched ")". */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const last = url.at(-1);
    if (last !== undefined && '.,;:!?\'"*_'.includes(last)) {
      url = url.slice(0, -1);
    } else if (last === ')' && count(url, '(') < count(url, ')')) {
      url = url.slice(0, -1);
    } else {
      return url;
    }
  }
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n += 1;
  return n;
}

function pushText(out: Inline[], text: string): void {
  if (!text) return;
  const last = out.at(-1);
  if (last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + text };
  else out.push({ type: 'text', text });
}

export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  if (depth > MAX_DEPTH) {
    pushText(out, text);
    return out;
  }
  const pattern = new RegExp(INLINE.source, INLINE.flags);
  let at = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const groups = match.groups ?? {};
    const start = match.index;
    let end = start + match[0].length;
    let node: Inline | null = null;
    if (groups.code !== undefined) {
      node = { type: 'code', text: groups.code };
    } else if (groups.link !== undefined) {
      const url = trimUrl(groups.link);
      end = start + url.length;
      const href = safeHref(url);
      node = href === null ? null : { type: 'link', href, text: url };
    } else if (groups.strong !== undefined) {
      node = { type: 'strong', children: parseInline(groups.strong, depth + 1) };
    } else if (groups.em !== undefined) {
      node = { type: 'em', children: parseInline(groups.em, depth + 1) };
    }
    pushText(out, text.slice(at, start));
    if (node) out.push(node);
    else pushText(out, text.slice(start, end));
    at = end;
    pattern.lastIndex = Math.max(end, start + 1);
  }
  pushText(out, text.slice(at));
  return out;
}

/** Split a body into fenced code blocks and the inline text between them. */
export function parseMarkup(body: string): Block[] {
  const blocks: Block[] = [];
  let rest = body;
  let text = '';
  for (;;) {
    const open = rest.indexOf(FENCE);
    const close = open < 0 ? -1 : rest.indexOf(FENCE, open + FENCE.length);
    if (open < 0 || close < 0 || close === open + FENCE.length) {
      text += rest;
      break;
    }
    text += rest.slice(0, open);
    let content = rest.slice(open + FENCE.length, close);
    let lang = '';
    const newline = content.indexOf('\n');
    if (newline >= 0) {
      const first = content.slice(0, newline);
      if (first === '' || LANG.test(first)) {
        lang = first;
        content = content.slice(newline + 1);
      }
    }
    if (content.endsWith('\n')) content = content.slice(0, -1);
    if (text) blocks.push({ type: 'inline', children: parseInline(text) });
    text = '';
    blocks.push({ type: 'codeblock', text: content, lang });
    rest = rest.slice(close + FENCE.length);
    // The line break after a closing fence belongs to the block.
    if (rest.startsWith('\n')) rest = rest.slice(1);
  }
  if (text) blocks.push({ type: 'inline', children: parseInline(text) });
  return blocks;
}
