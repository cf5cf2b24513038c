import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { createChatStore, type Result } from '../store/chatStore';
import { FakeBackend, memoryStorage } from '../test/fakeBackend';
import { renderWithStore } from '../test/render';
import { Composer } from './Composer';

function setup(onEditLast = vi.fn()) {
  const backend = new FakeBackend();
  const store = createChatStore({
    http: backend.http,
    realtime: backend.realtime,
    storage: memoryStorage(),
  });
  const send = vi.spyOn(store, 'send').mockImplementation((): Result => ({ ok: true }));
  const typing = vi.spyOn(store, 'typing').mockImplementation(() => undefined);
  renderWithStore(<Composer roomId={10} roomName="general" onEditLast={onEditLast} />, store);
  const input = screen.getByLabelText('Message general');
  return { store, send, typing, input, onEditLast };
}

describe('Composer', () => {
  it('Enter sends and clears the field', async () => {
    const user = userEvent.setup();
    const { send, input } = setup();
    await user.type(input, 'hello{Enter}');
    expect(send).toHaveBeenCalledWith(10, 'hello');
    expect(input).toHaveValue('');
  });

  it('Shift+Enter breaks the line without sending', async () => {
    const user = userEvent.setup();
    const { send, input } = setup();
    await user.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(send).not.toHaveBeenCalled();
    expect(input).toHaveValue('line one\nline two');
    await user.keyboard('{Enter}');
    expect(send).toHaveBeenCalledWith(10, 'line one\nline two');
  });

  it('does not send while an IME composition is open', () => {
    const { send, input } = setup();
    fireEvent.change(input, { target: { value: 'かな' } });
    fireEvent.keyDown(input, { key: 'Enter', isComposing: true });
    expect(send).not.toHaveBeenCalled();
  });

  it('the send button sends; it is disabled while empty', async () => {
    const user = userEvent.setup();
    const { send, input } = setup();
    const button = screen.getByRole('button', { name: 'Send message' });
    expect(button).toBeDisabled();
    await user.type(input, 'via button');
    await user.click(button);
    expect(send).toHaveBeenCalledWith(10, 'via button');
  });

  it('announces typing as the user types', async () => {
    const user = userEvent.setup();
    const { typing, input } = setup();
    await user.type(input, 'ab');
    expect(typing).toHaveBeenCalledWith(10);
  });

  it('ArrowUp in an empty field edits the last message', async () => {
    const user = userEvent.setup();
    const { input, onEditLast } = setup();
    await user.click(input);
    await user.keyboard('{ArrowUp}');
    expect(onEditLast).toHaveBeenCalledOnce();
    await user.type(input, 'x{ArrowUp}');
    expect(onEditLast).toHaveBeenCalledOnce();
  });

  it('warns near the limit and refuses past it', () => {
    const { send, input } = setup();
    fireEvent.change(input, { target: { value: 'a'.repeat(3600) } });
    expect(screen.getByText('3600 / 4000')).toBeInTheDocument();
    fireEvent.change(input, { target: { value: 'a'.repeat(4001) } });
    expect(screen.getByRole('button', { name: 'Send message' })).toBeDisabled();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(send).toHaveBeenCalled(); // the store refuses it and says why
  });

  it('shows why the store refused a message', () => {
    const { send, input } = setup();
    send.mockImplementation(() => ({ ok: false, code: 'too_large', message: 'Too long.' }));
    fireEvent.change(input, { target: { value: 'x' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByRole('alert')).toHaveTextContent('Too long.');
    fireEvent.change(input, { target: { value: 'xy' } });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
