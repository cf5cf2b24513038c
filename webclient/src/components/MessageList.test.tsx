import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../api/events';
import { ApiError } from '../api/http';
import { FakeBackend, flush } from '../test/fakeBackend';
import { renderApp } from '../test/render';
import { MAX_MOUNTED } from './useMessageWindow';

let backend: FakeBackend;
let alice: User;
let bob: User;

beforeEach(() => {
  backend = new FakeBackend();
  alice = backend.addUser('alice');
  bob = backend.addUser('bob');
});

async function open(name: string) {
  const user = userEvent.setup();
  const room = within(screen.getByTestId('my-rooms')).getByRole('button', {
    name: new RegExp(`^${name}`),
  });
  await user.click(room);
  await act(flush);
  return user;
}

const items = () => screen.queryAllByTestId('message');
const seqOf = (el: Element | null) => Number((el as HTMLElement | null)?.dataset.seq);

describe('keyboard', () => {
  it('the message list is one tab stop; arrows, Home and End move; Tab reaches the actions', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    for (const n of [1, 2, 3, 4]) backend.post(room.id, n === 2 ? alice : bob, `m${n}`);
    await renderApp(backend, 'alice');
    const user = await open('general');
    const stops = () => items().filter((li) => li.tabIndex === 0);
    expect(stops().map(seqOf)).toEqual([4]);
    stops()[0]!.focus();
    await user.keyboard('{ArrowUp}');
    expect(seqOf(document.activeElement)).toBe(3);
    expect(stops().map(seqOf)).toEqual([3]);
    await user.keyboard('{Home}');
    expect(seqOf(document.activeElement)).toBe(1);
    await user.keyboard('{ArrowDown}');
    expect(seqOf(document.activeElement)).toBe(2);
    // alice's own message: Tab goes to its Edit and Delete, then out of the list.
    const own = items()[1]!;
    await user.tab();
    expect(within(own).getByRole('button', { name: 'Edit message' })).toHaveFocus();
    await user.tab();
    expect(within(own).getByRole('button', { name: 'Delete message' })).toHaveFocus();
    await user.tab();
    expect(document.activeElement?.closest('[data-testid="messages"]')).toBeNull();
    await user.click(items()[1]!);
    await user.keyboard('{End}');
    expect(seqOf(document.activeElement)).toBe(4);
    // Other messages' actions are out of the tab order.
    expect(
      items()
        .filter((li) => li.tabIndex !== 0)
        .flatMap((li) => within(li).queryAllByRole('button'))
        .every((b) => b.tabIndex === -1),
    ).toBe(true);
  });

  it('the skip link lands in the composer; arrow keys move through the room list', async () => {
    backend.addRoom('alpha', alice);
    backend.addRoom('beta', alice);
    backend.addRoom('gamma', alice);
    await renderApp(backend, 'alice');
    const user = await open('beta');
    await user.click(screen.getByRole('link', { name: 'Skip to conversation' }));
    expect(screen.getByTestId('composer')).toHaveFocus();
    const list = screen.getByTestId('my-rooms');
    const rooms = within(list).getAllByRole('button');
    expect(rooms.map((b) => b.tabIndex)).toEqual([-1, 0, -1]);
    rooms[1]!.focus();
    await user.keyboard('{ArrowDown}');
    expect(rooms[2]).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(rooms[2]).toHaveFocus();
    await user.keyboard('{Home}');
    expect(rooms[0]).toHaveFocus();
    await user.keyboard('{ArrowUp}{End}');
    expect(rooms[2]).toHaveFocus();
    expect(rooms.map((b) => b.tabIndex)).toEqual([-1, -1, 0]);
  });
});

describe('reading', () => {
  it('opening a room with unread messages shows a divider above the first of them', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    backend.addRoom('other', alice);
    backend.post(room.id, bob, 'read before');
    backend.post(room.id, bob, 'first unread');
    backend.post(room.id, alice, 'mine, from my phone');
    backend.post(room.id, bob, 'second unread');
    const { store } = await renderApp(backend, 'alice');
    act(() => {
      store.dispatch({
        type: 'rooms/upsert',
        room: { ...store.getState().rooms[room.id]!, unread: 2, last_seq: 4 },
      });
    });
    await open('general');
    const divider = screen.getByTestId('new-divider');
    expect(divider).toHaveTextContent('New messages');
    expect(seqOf(divider.nextElementSibling)).toBe(2);
    // Coming back later with nothing unread: no divider.
    await open('other');
    await open('general');
    expect(screen.queryByTestId('new-divider')).toBeNull();
  });

  it('a history that failed to load says so and offers Retry', async () => {
    const room = backend.addRoom('general', alice);
    backend.post(room.id, bob, 'hello');
    await renderApp(backend, 'alice');
    backend.failHttp('messages', new ApiError(502, 'http_502', '<html>Bad Gateway</html>'));
    const user = await open('general');
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The messages of this room could not be loaded.');
    expect(alert).not.toHaveTextContent('Bad Gateway');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await act(flush);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(items().map((li) => li.textContent)).toEqual([expect.stringContaining('hello')]);
  });

  it('keeps oneself and the last known list online while reconnecting', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    const { store } = await renderApp(backend, 'alice');
    await open('general');
    act(() => {
      backend.latestConnection().handlers.presence({ room_id: room.id, user: bob, online: true });
    });
    act(() => {
      backend.latestConnection().drop();
    });
    expect(store.getState().connection).toBe('reconnecting');
    const names = screen.getAllByTestId('online-user').map((li) => li.dataset.username);
    expect(names).toEqual(['alice', 'bob']);
    expect(screen.getByRole('button', { name: /^2 online/ })).toBeInTheDocument();
  });
});

describe('long rooms', () => {
  it('mounts at most a window of the loaded messages, and moves it on demand', async () => {
    const room = backend.addRoom('general', alice);
    for (let n = 1; n <= 320; n += 1) backend.post(room.id, bob, `m${n}`);
    const { store } = await renderApp(backend, 'alice');
    const user = await open('general');
    for (let i = 0; i < 5; i += 1) await act(() => store.loadOlder(room.id));
    expect(store.getState().views[room.id]?.timeline.seqs).toHaveLength(300);
    expect(items()).toHaveLength(MAX_MOUNTED);
    expect(seqOf(items().at(-1)!)).toBe(320);
    await user.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(items()).toHaveLength(MAX_MOUNTED);
    expect(seqOf(items()[0]!)).toBe(121);
    expect(seqOf(items().at(-1)!)).toBe(270);
    await user.click(screen.getByRole('button', { name: /Jump to latest|New messages/ }));
    expect(seqOf(items().at(-1)!)).toBe(320);
    expect(items()).toHaveLength(MAX_MOUNTED);
  }, 60_000);
});
