import { act, screen, within } from '@testing-library/react';
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

async function openMenu(room: string) {
  const user = userEvent.setup();
  await user.click(within(screen.getByTestId('my-rooms')).getByRole('button', { name: room }));
  await act(flush);
  await user.click(screen.getByRole('button', { name: 'Room options' }));
  await user.click(screen.getByRole('button', { name: new RegExp(`Leave ${room}`) }));
  return user;
}

describe('leaving a room', () => {
  it('a member confirms, then leaves', async () => {
    const room = backend.addRoom('general', bob, false, [alice, bob]);
    await renderApp(backend, 'alice');
    const user = await openMenu('general');
    expect(screen.getByRole('group', { name: /Leave general\?/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Leave' })).toHaveFocus();
    expect(backend.httpCalls.some((c) => c.startsWith('leaveRoom'))).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Leave' }));
    await act(flush);
    expect(backend.record(room.id).members.has(alice.id)).toBe(false);
    expect(screen.getByRole('heading', { name: 'Pick a room to start talking' })).toBeInTheDocument();
  });

  it('an owner with others online is offered the hand-over at once', async () => {
    const room = backend.addRoom('secret', alice, true, [alice, bob]);
    const { store } = await renderApp(backend, 'alice');
    await act(() => store.openRoom(room.id));
    act(() => {
      backend.latestConnection().handlers.presence({ room_id: room.id, user: bob, online: true });
    });
    const user = await openMenu('secret');
    const owner = screen.getByLabelText('New owner');
    expect(owner).toHaveValue('bob');
    expect(owner).toHaveFocus();
    await user.clear(owner);
    await user.click(screen.getByRole('button', { name: 'Hand over and leave' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose the member who will own the room.');
    await user.type(owner, 'bob');
    await user.click(screen.getByRole('button', { name: 'Hand over and leave' }));
    await act(flush);
    expect(backend.record(room.id).room.owner).toEqual(bob);
    expect(backend.record(room.id).members.has(alice.id)).toBe(false);
    expect(screen.queryByRole('button', { name: /^secret/ })).toBeNull();
  });
});
