import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../api/events';
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

function renderedMessages(): string[] {
  return screen
    .queryAllByTestId('message')
    .map((li) => `${li.dataset.seq ?? ''}:${within(li).queryByTestId('message-body')?.textContent ?? ''}`);
}

async function openRoom(name: string) {
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name }));
  await act(flush);
  return user;
}

describe('room list', () => {
  it('lists the user’s rooms with unread counts, and public rooms to join', async () => {
    const general = backend.addRoom('general', alice);
    const other = backend.addRoom('random', bob, false, [bob]);
    backend.addRoom('hidden', bob, true, [bob]);
    const { store } = await renderApp(backend, 'alice');
    act(() => {
      store.dispatch({
        type: 'rooms/upsert',
        room: { ...store.getState().rooms[general.id]!, unread: 3 },
      });
    });
    const mine = screen.getByTestId('my-rooms');
    const unread = within(mine).getByRole('button', { name: /^general\s*3\s*unread$/ });
    // The accessible name is the visible text ("general 3") and the word "unread".
    expect(unread.textContent).toBe('general 3 unread');
    expect(within(unread).getByTestId('unread')).not.toHaveAttribute('aria-hidden');
    const discover = screen.getByTestId('public-rooms');
    expect(within(discover).getByText('random')).toBeInTheDocument();
    expect(screen.queryByText('hidden')).toBeNull();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Join random' }));
    await act(flush);
    expect(within(mine).getByRole('button', { name: 'random' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    expect(backend.record(other.id).members.has(alice.id)).toBe(true);
  });

  it('puts the unread total and the open room in the page title', async () => {
    const general = backend.addRoom('general', alice);
    backend.addRoom('design', alice);
    const { store } = await renderApp(backend, 'alice');
    expect(document.title).toBe('ChatApp');
    await openRoom('design');
    expect(document.title).toBe('design · ChatApp');
    act(() => {
      store.dispatch({ type: 'rooms/upsert', room: { ...store.getState().rooms[general.id]!, unread: 4 } });
    });
    expect(document.title).toBe('(4) design · ChatApp');
  });

  it('filters rooms by name', async () => {
    backend.addRoom('general', alice);
    backend.addRoom('design', alice);
    await renderApp(backend, 'alice');
    const user = userEvent.setup();
    await user.type(screen.getByRole('searchbox', { name: 'Filter rooms' }), 'des');
    expect(screen.queryByRole('button', { name: 'general' })).toBeNull();
    expect(screen.getByRole('button', { name: 'design' })).toBeInTheDocument();
  });

  it('creates a private room; errors show inline', async () => {
    backend.addRoom('taken', bob);
    await renderApp(backend, 'alice');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'New room' }));
    await user.click(screen.getByRole('button', { name: 'Create room' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Give the room a name.');
    await user.type(screen.getByLabelText('Room name'), 'taken');
    await user.click(screen.getByRole('button', { name: 'Create room' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('A room with that name exists.');
    await user.clear(screen.getByLabelText('Room name'));
    await user.type(screen.getByLabelText('Room name'), 'secret plans');
    await user.click(screen.getByRole('checkbox', { name: /Private/ }));
    await user.click(screen.getByRole('button', { name: 'Create room' }));
    await act(flush);
    expect(screen.getByRole('heading', { level: 1, name: 'secret plans' })).toBeInTheDocument();
    expect(screen.getByText(/Private · owned by alice/)).toBeInTheDocument();
  });

  it('the create form closes with Escape', async () => {
    await renderApp(backend, 'alice');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'New room' }));
    expect(screen.getByLabelText('Room name')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText('Room name')).toBeNull();
    expect(screen.getByRole('button', { name: 'New room' })).toHaveFocus();
  });

  it('a failed join is shown', async () => {
    const room = backend.addRoom('random', bob, false, [bob]);
    await renderApp(backend, 'alice');
    backend.rooms.delete(room.id);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Join random' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Room not found.');
  });
});

describe('room view', () => {
  it('shows history, live messages, typing and who is online', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    backend.post(room.id, bob, 'first');
    backend.post(room.id, bob, '<img src=x onerror=alert(1)>');
    const { container } = await renderApp(backend, 'alice');
    await openRoom('general');
    expect(renderedMessages()).toEqual(['1:first', '2:<img src=x onerror=alert(1)>']);
    expect(container.querySelector('.messages img')).toBeNull();

    const connection = backend.latestConnection();
    act(() => {
      backend.post(room.id, bob, 'live one', true);
      connection.handlers.typing({ room_id: room.id, user: bob });
      connection.handlers.presence({ room_id: room.id, user: bob, online: true });
    });
    expect(renderedMessages()).toHaveLength(3);
    expect(screen.getByTestId('typing')).toHaveTextContent('bob is typing…');
    const online = screen.getByTestId('online-list');
    expect(within(online).getAllByTestId('online-user').map((li) => li.dataset.username)).toEqual(
      ['alice', 'bob'],
    );
    expect(screen.getByRole('button', { name: '2 online — show who' })).toBeInTheDocument();
  });

  it('sends with Enter, shows it at once, and confirms it', async () => {
    backend.addRoom('general', alice);
    await renderApp(backend, 'alice');
    const user = await openRoom('general');
    await user.type(screen.getByLabelText('Message general'), 'hello world{Enter}');
    await act(flush);
    expect(renderedMessages()).toEqual(['1:hello world']);
    expect(screen.queryByTestId('pending-message')).toBeNull();
  });

  it('a failed message can be retried with the same client_id', async () => {
    const room = backend.addRoom('general', alice);
    await renderApp(backend, 'alice');
    const user = await openRoom('general');
    backend.overrides.send = () => ({ ok: false, error: { code: 'invalid', message: 'Nope.' } });
    await user.type(screen.getByLabelText('Message general'), 'again{Enter}');
    await act(flush);
    const pending = screen.getByTestId('pending-message');
    expect(pending).toHaveAttribute('data-status', 'failed');
    expect(within(pending).getByRole('alert')).toHaveTextContent('Not sent: Nope.');
    delete backend.overrides.send;
    await user.click(within(pending).getByRole('button', { name: /Retry/ }));
    await act(flush);
    expect(renderedMessages()).toEqual(['1:again']);
    const sends = backend.latestConnection().sent('send') as { client_id: string }[];
    expect(new Set(sends.map((s) => s.client_id)).size).toBe(1);
    expect(backend.record(room.id).messages).toHaveLength(1);
  });

  it('a failed message can be discarded', async () => {
    backend.addRoom('general', alice);
    await renderApp(backend, 'alice');
    const user = await openRoom('general');
    backend.overrides.send = () => ({ ok: false, error: { code: 'forbidden', message: 'No.' } });
    await user.type(screen.getByLabelText('Message general'), 'bye{Enter}');
    await act(flush);
    await user.click(screen.getByRole('button', { name: 'Discard' }));
    expect(screen.queryByTestId('pending-message')).toBeNull();
  });

  it('edits the last own message with ArrowUp, and deletes it', async () => {
    backend.addRoom('general', alice);
    await renderApp(backend, 'alice');
    const user = await openRoom('general');
    const composer = screen.getByLabelText('Message general');
    await user.type(composer, 'tpyo{Enter}');
    await act(flush);
    await user.keyboard('{ArrowUp}');
    const field = screen.getByLabelText('Edit message');
    await user.clear(field);
    await user.type(field, 'typo fixed{Enter}');
    await act(flush);
    expect(renderedMessages()).toEqual(['1:typo fixed']);
    expect(screen.getByText('(edited)')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete message' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await act(flush);
    expect(screen.getByText('This message was deleted.')).toBeInTheDocument();
  });

  it('loads older messages from the top of the list', async () => {
    const room = backend.addRoom('general', alice);
    for (let i = 1; i <= 70; i += 1) backend.post(room.id, bob, `m${i}`);
    await renderApp(backend, 'alice');
    const user = await openRoom('general');
    expect(renderedMessages()).toHaveLength(50);
    await user.click(screen.getByRole('button', { name: 'Load older messages' }));
    await act(flush);
    expect(renderedMessages()).toHaveLength(70);
    expect(screen.getByText(/This is the start of/)).toBeInTheDocument();
  });

  it('marks messages read as they are seen', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    backend.post(room.id, bob, 'one');
    await renderApp(backend, 'alice');
    await openRoom('general');
    await waitFor(
      () => {
        expect(backend.latestConnection().sent('read')).toEqual([{ room_id: room.id, seq: 1 }]);
      },
      { timeout: 2000 },
    );
  });

  it('shows the connection state and resumes after a drop', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    backend.post(room.id, bob, 'before');
    await renderApp(backend, 'alice');
    await openRoom('general');
    const badge = screen.getAllByTestId('connection-state')[0]!;
    expect(badge).toHaveAttribute('data-state', 'connected');
    const connection = backend.latestConnection();
    act(() => {
      connection.drop();
    });
    expect(badge).toHaveAttribute('data-state', 'reconnecting');
    expect(badge).toHaveTextContent('Reconnecting…');
    for (let i = 1; i <= 5; i += 1) backend.post(room.id, bob, `missed ${i}`);
    await act(async () => {
      connection.open();
      await flush();
    });
    expect(badge).toHaveAttribute('data-state', 'connected');
    expect(renderedMessages()).toEqual([
      '1:before',
      '2:missed 1',
      '3:missed 2',
      '4:missed 3',
      '5:missed 4',
      '6:missed 5',
    ]);
    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(badge).toHaveAttribute('data-state', 'offline');
  });

  it('invites to a private room and leaves it from the room menu', async () => {
    backend.addRoom('secret', alice, true);
    await renderApp(backend, 'alice');
    const user = await openRoom('secret');
    await user.click(screen.getByRole('button', { name: 'Room options' }));
    await user.type(screen.getByLabelText('Add someone to this private room'), 'bob');
    await user.click(screen.getByRole('button', { name: 'Add member' }));
    expect(await screen.findByText('bob was added to secret.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Add someone to this private room'), 'nobody');
    await user.click(screen.getByRole('button', { name: 'Add member' }));
    expect(await screen.findByText('No such user.')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Room options' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Room options' }));
    await user.click(screen.getByRole('button', { name: /Leave secret/ }));
    // Asked first; Cancel keeps the room.
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getByRole('button', { name: /Leave secret/ }));
    await user.click(screen.getByRole('button', { name: 'Leave' }));
    await act(flush);
    // bob is a member: the server refuses the owner, who hands the room over instead.
    expect(await screen.findByText(/Others are still members/)).toBeInTheDocument();
    const owner = screen.getByLabelText('New owner');
    await user.type(owner, 'carol');
    await user.click(screen.getByRole('button', { name: 'Hand over and leave' }));
    await act(flush);
    expect(await screen.findByText('carol is not a member of secret.')).toBeInTheDocument();
    await user.clear(owner);
    await user.type(owner, 'bob');
    await user.click(screen.getByRole('button', { name: 'Hand over and leave' }));
    await act(flush);
    expect(backend.httpCalls.filter((c) => c.startsWith('updateRoom'))).toEqual([
      expect.stringMatching(/carol$/),
      expect.stringMatching(/bob$/),
    ]);
    expect(screen.getByRole('heading', { name: 'Pick a room to start talking' })).toBeInTheDocument();
    expect(screen.queryByText('secret')).toBeNull();
    // Leaving on purpose needs no notice.
    expect(screen.queryByTestId('room-notice')).toBeNull();
  });

  it('says why an open room closed when the owner removed the user', async () => {
    const room = backend.addRoom('secret', bob, true, [bob, alice]);
    await renderApp(backend, 'alice');
    await openRoom('secret');
    act(() => {
      backend.endMembership(room.id, alice.id);
    });
    expect(screen.getByTestId('room-notice')).toHaveTextContent(
      'You are no longer a member of secret.',
    );
    expect(screen.getByRole('heading', { name: 'Pick a room to start talking' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^secret/ })).toBeNull();
  });

  it('the phone drawer opens from the menu button and closes with Escape', async () => {
    backend.addRoom('general', alice);
    await renderApp(backend, 'alice');
    const user = userEvent.setup();
    const menu = screen.getByRole('button', { name: 'Show rooms' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Browse rooms' }));
    await user.click(screen.getByRole('button', { name: 'Close room list' }));
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    await user.click(menu);
    await user.click(screen.getByRole('button', { name: 'general' }));
    expect(screen.getByRole('button', { name: 'Show rooms' })).toHaveAttribute(
      'aria-expanded',
      'false',
    );
  });

  it('logs out back to the login screen', async () => {
    await renderApp(backend, 'alice');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    await act(flush);
    expect(screen.getByRole('heading', { name: 'Welcome back' })).toBeInTheDocument();
    expect(backend.httpCalls).toContain('logout');
  });
});
