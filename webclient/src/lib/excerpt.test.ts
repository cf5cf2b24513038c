import { describe, expect, it } from 'vitest';
import { excerptParts, queryWords } from './excerpt';

const marked = (body: string, q: string, max?: number) =>
  excerptParts(body, q, max)
    .map((p) => (p.match ? `[${p.text}]` : p.text))
    .join('');

describe('excerptParts', () => {
  it('marks whole words and prefixes, case-insensitively', () => {
    expect(marked('Deploy the Deployment today', 'deploy')).toBe('[Deploy] the [Deployment] today');
    expect(marked('pre-deploy check', 'DEP che')).toBe('pre-[deploy] [check]');
  });

  it('does not mark a word only containing the query', () => {
    expect(marked('redeploy it', 'deploy')).toBe('redeploy it');
  });

  it('cuts a long body around the first match', () => {
    const body = `${'lorem '.repeat(60)}needle ${'ipsum '.repeat(60)}`;
    const text = marked(body, 'needle', 80);
    expect(text.startsWith('…')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
    expect(text).toContain('[needle]');
    expect(text.length).toBeLessThan(100);
  });

  it('shows the start of the body when nothing matches', () => {
    expect(marked('hello   there\nfriend', 'zzz')).toBe('hello there friend');
  });

  it('splits a query into distinct words', () => {
    expect(queryWords('Ship it, ship IT!')).toEqual(['ship', 'it']);
    expect(queryWords('  ')).toEqual([]);
  });
});
