import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkup, safeHref, type Inline } from './markup';

const text = (t: string): Inline => ({ type: 'text', text: t });
const link = (href: string, t = href): Inline => ({ type: 'link', href, text: t });

describe('links', () => {
  it('links http, https and mailto', () => {
    expect(parseInline('see https://example.com/a?b=1#c now')).toEqual([
      text('see '),
      link('https://example.com/a?b=1#c'),
      text(' now'),
    ]);
    expect(parseInline('http://x.org')).toEqual([link('http://x.org/', 'http://x.org')]);
    expect(parseInline('write mailto:ada@example.com')).toEqual([
      text('write '),
      link('mailto:ada@example.com'),
    ]);
  });

  it('leaves sentence punctuation and unmatched parentheses outside', () => {
    expect(parseInline('Go to https://example.com/x.')).toEqual([
      text('Go to '),
      link('https://example.com/x'),
      text('.'),
    ]);
    expect(parseInline('(see https://example.com/x)')).toEqual([
      text('(see '),
      link('https://example.com/x'),
      text(')'),
    ]);
    expect(parseInline('https://en.wikipedia.org/wiki/Rust_(language)')).toEqual([
      link('https://en.wikipedia.org/wiki/Rust_(language)'),
    ]);
  });

  it('keeps every other scheme as text', () => {
    for (const body of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com',
      'https://',
      'mailto:',
      'xhttps://example.com',
    ]) {
      const nodes = parseInline(body);
      expect(nodes.every((n) => n.type === 'text'), body).toBe(true);
      expect(nodes.map((n) => (n.type === 'text' ? n.text : '')).join(''), body).toBe(body);
    }
  });

  it('checks the href it builds, whatever the text', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('http://')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
    expect(safeHref('mailto:')).toBeNull();
  });
});

describe('inline formatting', () => {
  it('bold, italic and code', () => {
    expect(parseInline('a **b** *c* `d` e')).toEqual([
      text('a '),
      { type: 'strong', children: [text('b')] },
      text(' '),
      { type: 'em', children: [text('c')] },
      text(' '),
      { type: 'code', text: 'd' },
      text(' e'),
    ]);
  });

  it('nests links and italic inside bold; nothing inside code', () => {
    expect(parseInline('**read *this* https://x.io**')).toEqual([
      {
        type: 'strong',
        children: [
          text('read '),
          { type: 'em', children: [text('this')] },
          text(' '),
          link('https://x.io/', 'https://x.io'),
        ],
      },
    ]);
    expect(parseInline('`**not bold** https://x.io`')).toEqual([
      { type: 'code', text: '**not bold** https://x.io' },
    ]);
  });

  it('leaves lone or spaced markers, and markers inside words, as they are', () => {
    for (const body of ['2 * 3 * 4', 'a ** b **', '** x**', 'snake*case*word', 'x*', '`', 'a`b']) {
      expect(parseInline(body), body).toEqual([text(body)]);
    }
  });

  it('stops nesting at a depth, keeping the text', () => {
    const deep = '**'.repeat(12) + 'x' + '**'.repeat(12);
    const flat = (nodes: Inline[]): string =>
      nodes
        .map((n) =>
          n.type === 'text' || n.type === 'code' || n.type === 'link'
            ? n.text
            : flat(n.children),
        )
        .join('');
    expect(flat(parseInline(deep)).replaceAll('*', '')).toBe('x');
  });

  it('HTML is just text', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([
      text('<img src=x onerror=alert(1)>'),
    ]);
  });
});

describe('code blocks', () => {
  it('takes fenced blocks out of the text, with an optional language', () => {
    expect(parseMarkup('before\n```js\nconst a = 1;\n**x**\n```\nafter')).toEqual([
      { type: 'inline', children: [text('before\n')] },
      { type: 'codeblock', lang: 'js', text: 'const a = 1;\n**x**' },
      { type: 'inline', children: [text('after')] },
    ]);
    expect(parseMarkup('```one line```')).toEqual([
      { type: 'codeblock', lang: '', text: 'one line' },
    ]);
    expect(parseMarkup('```\nplain\n```')).toEqual([
      { type: 'codeblock', lang: '', text: 'plain' },
    ]);
    expect(parseMarkup('```two words\nbody```')).toEqual([
      { type: 'codeblock', lang: '', text: 'two words\nbody' },
    ]);
  });

  it('an unclosed or empty fence is text', () => {
    expect(parseMarkup('```\nno end')).toEqual([{ type: 'inline', children: [text('```\nno end')] }]);
    expect(parseMarkup('``````')).toEqual([{ type: 'inline', children: [text('``````')] }]);
    expect(parseMarkup('')).toEqual([]);
  });
});
