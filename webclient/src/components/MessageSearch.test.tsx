import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../api/events';
import { ApiError } from '../api/http';
import { FakeBackend, flush } from '../test/fakeBackend';
import { renderApp } from '../test/render';

let backend: FakeBackend;
let alice: User;
let bob: User;

beforeEach(() => {
  backend = new FakeBackend();
  alice = backend.addUser('alice');
  bob = backend.addUser('bob');
});

async function search(words: string) {
  const user = userEvent.setup();
  const field = screen.getByRole('searchbox', { name: 'Search messages' });
  await user.clear(field);
  await user.type(field, `${words}{Enter}`);
  await act(flush);
  return user;
}

describe('message search', () => {
  it('lists results with sender, room, marked words and time; pages with More results', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    for (let i = 1; i <= 25; i += 1) backend.post(room.id, bob, `Deploy step ${i} done`);
    await renderApp(backend, 'alice');
    const user = await search('deploy');
    const list = screen.getByTestId('search-results');
    const results = within(list).getAllByRole('button');
    expect(results).toHaveLength(20);
    const first = results[0]!;
    expect(first).toHaveTextContent('bob');
    expect(first).toHaveTextContent('in general');
    expect(first).toHaveTextContent('Deploy step 25 done');
    expect(first.querySelector('mark')?.textContent).toBe('Deploy');
    expect(first.querySelector('time')?.getAttribute('datetime')).toBe(
      backend.record(room.id).messages[24]!.created_at,
    );
    expect(screen.getByTestId('search-status')).toHaveTextContent('20+ results for “deploy”');
    // The room lists make way for the results.
    expect(screen.getByTestId('my-rooms')).not.toBeVisible();

    await user.click(screen.getByRole('button', { name: 'More results' }));
    await act(flush);
    expect(within(list).getAllByRole('button')).toHaveLength(25);
    expect(within(list).getAllByRole('button')[24]).toHaveTextContent('Deploy step 1 done');
    expect(screen.queryByRole('button', { name: 'More results' })).toBeNull();
    expect(backend.httpCalls.filter((c) => c.startsWith('search'))).toEqual([
      'search deploy',
      `search deploy before ${String(backend.record(room.id).messages[5]!.id)}`,
    ]);

    await user.click(screen.getByRole('button', { name: 'Clear search' }));
    expect(screen.queryByTestId('search-results')).toBeNull();
    expect(screen.getByTestId('my-rooms')).toBeVisible();
    expect(screen.getByRole('searchbox', { name: 'Search messages' })).toHaveFocus();
  });

  it('says so when nothing matches, and shows a failed search with a way to retry', async () => {
    const room = backend.addRoom('general', alice);
    backend.post(room.id, alice, 'hello world');
    await renderApp(backend, 'alice');
    const user = await search('nothing-like-it');
    expect(screen.getByTestId('search-status')).toHaveTextContent('No messages match “nothing-like-it”.');
    expect(screen.queryByTestId('search-results')).toBeNull();

    backend.failHttp('search', new ApiError(0, 'network', 'Cannot reach the server.'));
    await search('hello');
    expect(screen.getByRole('alert')).toHaveTextContent('Search failed: Cannot reach the server.');
    await user.click(screen.getByRole('button', { name: /Try again/ }));
    await act(flush);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(within(screen.getByTestId('search-results')).getByRole('button')).toHaveTextContent(
      'hello world',
    );
  });

  it('opens a result in its room: loaded, focused and highlighted', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    for (let i = 1; i <= 300; i += 1) {
      backend.post(room.id, bob, i === 10 ? 'the hidden needle' : `filler ${i}`);
    }
    await renderApp(backend, 'alice');
    const user = await search('needle');
    await user.click(within(screen.getByTestId('search-results')).getByRole('button'));
    await act(flush);
    await waitFor(() => {
      expect(document.querySelector('[data-seq="10"]')).not.toBeNull();
    });
    const item = document.querySelector<HTMLElement>('[data-seq="10"]')!;
    await waitFor(() => {
      expect(item).toHaveClass('jump-highlight');
    });
    expect(item).toHaveFocus();
    expect(item).toHaveTextContent('the hidden needle');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('general');
  });
});
