import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { alice, bob, message } from '../test/factories';
import { MessageItem } from './MessageItem';

function setup(overrides: Partial<Parameters<typeof MessageItem>[0]> = {}) {
  const props = {
    message: message(1, { sender: alice }),
    grouped: false,
    own: true,
    canDelete: true,
    editing: false,
    tabbable: true,
    onFocus: vi.fn(),
    onStartEdit: vi.fn(),
    onEdit: vi.fn(async () => null),
    onDelete: vi.fn(async () => null),
    ...overrides,
  };
  const view = render(
    <ol>
      <MessageItem {...props} />
    </ol>,
  );
  return { ...view, props };
}

describe('MessageItem', () => {
  it('renders a body as text, never as HTML', () => {
    const body = '<img src=x onerror=alert(1)>';
    const { container } = setup({ message: message(1, { body, sender: bob }), own: false });
    expect(screen.getByTestId('message-body')).toHaveTextContent(body, { normalizeWhitespace: false });
    expect(screen.getByTestId('message-body').textContent).toBe(body);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText('bob')).toBeInTheDocument();
  });

  it('keeps line breaks and marks edits', () => {
    setup({ message: message(1, { body: 'one\ntwo', edited_at: '2026-01-01T11:00:00Z' }) });
    expect(screen.getByTestId('message-body').textContent).toBe('one\ntwo');
    expect(screen.getByText('(edited)')).toBeInTheDocument();
  });

  it('renders links and formatting as elements, other schemes as text', () => {
    const body =
      '**Release** is *out*: https://example.com/notes. Run `make` or mail mailto:ops@example.com\n' +
      '```sh\nmake deploy <prod>\n```\n' +
      'never javascript:alert(1) nor <a href="javascript:alert(1)">x</a>';
    const { container } = setup({ message: message(1, { body, sender: bob }), own: false });
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://example.com/notes',
      'mailto:ops@example.com',
    ]);
    for (const a of links) {
      expect(a).toHaveAttribute('target', '_blank');
      expect(a).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    }
    expect(screen.getByRole('link', { name: 'https://example.com/notes' })).toBeInTheDocument();
    expect(container.querySelector('strong')?.textContent).toBe('Release');
    expect(container.querySelector('em')?.textContent).toBe('out');
    expect(container.querySelector('p code, div.msg-body > span code')?.textContent).toBe('make');
    expect(container.querySelector('pre')?.textContent).toBe('make deploy <prod>');
    expect(container.querySelector('pre')).toHaveAttribute('data-lang', 'sh');
    expect(screen.getByText(/never javascript:alert\(1\) nor <a href=/)).toBeInTheDocument();
  });

  it("is the list's tab stop only when told; Escape from an action returns to it", async () => {
    const user = userEvent.setup();
    const { rerender, props } = setup();
    const item = screen.getByTestId('message');
    expect(item).toHaveAttribute('tabindex', '0');
    expect(screen.getByRole('button', { name: 'Edit message' })).toHaveAttribute('tabindex', '0');
    await user.click(item);
    expect(props.onFocus).toHaveBeenCalledWith(1);
    await user.tab();
    expect(screen.getByRole('button', { name: 'Edit message' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(item).toHaveFocus();
    rerender(
      <ol>
        <MessageItem {...props} tabbable={false} />
      </ol>,
    );
    expect(item).toHaveAttribute('tabindex', '-1');
    expect(screen.getByRole('button', { name: 'Delete message' })).toHaveAttribute('tabindex', '-1');
    rerender(
      <ol>
        <MessageItem {...props} message={message(1, { body: 'see https://x.io' })} tabbable={false} />
      </ol>,
    );
    expect(screen.getByRole('link')).toHaveAttribute('tabindex', '-1');
  });

  it('shows a deleted message as such, without actions', () => {
    setup({ message: message(1, { body: '', deleted: true, sender: alice }) });
    expect(screen.getByText('This message was deleted.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
  });

  it('offers no actions on messages of others unless the user owns the room', () => {
    setup({ own: false, canDelete: false, message: message(1, { sender: bob }) });
    expect(screen.queryByRole('button', { name: 'Delete message' })).toBeNull();
    document.body.innerHTML = '';
    setup({ own: false, canDelete: true, message: message(1, { sender: bob }) });
    expect(screen.getByRole('button', { name: 'Delete message' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
  });

  it('starts editing from the edit button', async () => {
    const user = userEvent.setup();
    const { props } = setup();
    await user.click(screen.getByRole('button', { name: 'Edit message' }));
    expect(props.onStartEdit).toHaveBeenCalledWith(1001);
  });

  it('saves an edit with Enter and cancels with Escape', async () => {
    const user = userEvent.setup();
    const { props } = setup({ editing: true });
    const field = screen.getByLabelText('Edit message');
    expect(field).toHaveFocus();
    await user.clear(field);
    await user.type(field, 'better{Enter}');
    expect(props.onEdit).toHaveBeenCalledWith(1001, 'better');
    expect(props.onStartEdit).toHaveBeenLastCalledWith(null);
    await user.type(field, '{Escape}');
    expect(props.onStartEdit).toHaveBeenLastCalledWith(null);
  });

  it('an unchanged edit just closes; a refused one shows why', async () => {
    const user = userEvent.setup();
    const onEdit = vi.fn(async () => 'Too long.');
    const { props } = setup({ editing: true, onEdit });
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(onEdit).not.toHaveBeenCalled();
    expect(props.onStartEdit).toHaveBeenCalledWith(null);
    await user.type(screen.getByLabelText('Edit message'), '!');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too long.');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(props.onStartEdit).toHaveBeenLastCalledWith(null);
  });

  it('deletes after an inline confirmation (no browser dialog)', async () => {
    const user = userEvent.setup();
    const { props } = setup();
    await user.click(screen.getByRole('button', { name: 'Delete message' }));
    const confirm = screen.getByRole('group', { name: 'Confirm delete' });
    expect(confirm).toHaveTextContent('Delete this message for everyone?');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(props.onDelete).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Delete message' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(props.onDelete).toHaveBeenCalledWith(1001);
  });

  it('shows a failed delete', async () => {
    const user = userEvent.setup();
    setup({ onDelete: vi.fn(async () => 'Not allowed.') });
    await user.click(screen.getByRole('button', { name: 'Delete message' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not allowed.');
  });

  it('a grouped message hides its header visually, keeps it for screen readers', () => {
    setup({ grouped: true });
    expect(screen.getByText('alice').parentElement).toHaveClass('visually-hidden');
  });
});
