import { memo, useId, useState, type KeyboardEvent } from 'react';
import type { Message } from '../api/events';
import { formatFull, formatTime } from '../lib/format';
import { Avatar } from './Avatar';
import { Icon } from './Icon';
import { MessageBody } from './MessageBody';

interface Props {
  message: Message;
  /** Same sender as the message above, shortly before: no header. */
  grouped: boolean;
  own: boolean;
  canDelete: boolean;
  editing: boolean;
  /** The message list's one tab stop (roving focus): it and its actions are in the tab order. */
  tabbable: boolean;
  /** Briefly marked: the message a search result opened. */
  highlighted?: boolean;
  onFocus: (seq: number) => void;
  onStartEdit: (messageId: number | null) => void;
  onEdit: (messageId: number, body: string) => Promise<string | null>;
  onDelete: (messageId: number) => Promise<string | null>;
}

/**
 * One message. The body is rendered from React elements and text nodes (see
 * MessageBody) — never as HTML — so `<img src=x onerror=alert(1)>` shows exactly
 * those characters.
 */
export const MessageItem = memo(function MessageItem({
  message,
  grouped,
  own,
  canDelete,
  editing,
  tabbable,
  highlighted = false,
  onFocus,
  onStartEdit,
  onEdit,
  onDelete,
}: Props) {
  const [draft, setDraft] = useState(message.body);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const startEdit = () => {
    setDraft(message.body);
    setError(null);
    onStartEdit(message.id);
  };

  const save = async () => {
    if (draft.trim() === message.body.trim()) {
      onStartEdit(null);
      return;
    }
    setBusy(true);
    const failure = await onEdit(message.id, draft);
    setBusy(false);
    if (failure) setError(failure);
    else onStartEdit(null);
  };

  const remove = async () => {
    setBusy(true);
    const failure = await onDelete(message.id);
    setBusy(false);
    setConfirming(false);
    if (failure) setError(failure);
  };

  const editKeys = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      setError(null);
      onStartEdit(null);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  };

  const classes = ['msg'];
  if (grouped) classes.push('grouped');
  if (own) classes.push('own');
  if (message.deleted) classes.push('deleted');
  if (highlighted) classes.push('jump-highlight');
  const tabIndex = tabbable ? 0 : -1;

  const onKeyDown = (event: KeyboardEvent<HTMLLIElement>) => {
    // Escape from one of its buttons returns to the message itself.
    if (event.key === 'Escape' && event.target !== event.currentTarget && !editing) {
      event.currentTarget.focus();
    }
  };

  return (
    // The list's roving focus (see MessageList) makes each message a focusable item.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <li
      className={classes.join(' ')}
      data-testid="message"
      data-seq={message.seq}
      data-sender={message.sender.username}
      // One message of the list is in the tab order (roving focus, see MessageList);
      // the others are focusable by arrow keys, tap or click: on touch screens,
      // where nothing hovers, tapping a message reveals its actions (:focus-within).
      tabIndex={tabIndex}
      onFocus={() => {
        onFocus(message.seq);
      }}
      onKeyDown={onKeyDown}
    >
      <div className="msg-gutter">
        {grouped ? (
          <time className="msg-hover-time" dateTime={message.created_at}>
            {formatTime(message.created_at)}
          </time>
        ) : (
          <Avatar username={message.sender.username} />
        )}
      </div>
      <div className="msg-main">
        <div className={grouped ? 'visually-hidden' : 'msg-head'}>
          <span className="msg-author" id={`${id}-author`}>
            {message.sender.username}
          </span>
          <time
            className="msg-time"
            dateTime={message.created_at}
            title={formatFull(message.created_at)}
          >
            {formatTime(message.created_at)}
          </time>
        </div>
        {editing && !message.deleted ? (
          <div className="msg-edit">
            <label htmlFor={`${id}-edit`} className="visually-hidden">
              Edit message
            </label>
            <textarea
              id={`${id}-edit`}
              value={draft}
              rows={Math.min(8, Math.max(1, draft.split('\n').length))}
              // Editing starts from an explicit action; the field is where it continues.
              // eslint-disable-next-line jsx-a11y/no-autofocus
              autoFocus
              onChange={(e) => {
                setDraft(e.target.value);
              }}
              onKeyDown={editKeys}
            />
            <div className="msg-edit-actions">
              <span className="hint">Enter to save · Esc to cancel</span>
              <button
                type="button"
                className="button ghost small"
                onClick={() => {
                  onStartEdit(null);
                }}
              >
                Cancel
              </button>
              <button
                type="button"
                className="button primary small"
                disabled={busy}
                onClick={() => void save()}
              >
                Save
              </button>
            </div>
          </div>
        ) : message.deleted ? (
          <p className="msg-body msg-body-deleted" id={`${id}-body`}>
            This message was deleted.
          </p>
        ) : (
          <div className="msg-body" id={`${id}-body`}>
            <span data-testid="message-body">
              <MessageBody body={message.body} tabbable={tabbable} />
            </span>
            {message.edited_at && (
              <span className="msg-edited" title={formatFull(message.edited_at)}>
                {' '}
                (edited)
              </span>
            )}
          </div>
        )}
        {confirming && (
          <div className="msg-confirm" role="group" aria-label="Confirm delete">
            <span>Delete this message for everyone?</span>
            <button
              type="button"
              className="button danger small"
              disabled={busy}
              onClick={() => void remove()}
            >
              Delete
            </button>
            <button
              type="button"
              className="button ghost small"
              onClick={() => {
                setConfirming(false);
              }}
            >
              Cancel
            </button>
          </div>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      {!message.deleted && !editing && !confirming && (own || canDelete) && (
        <div className="msg-actions">
          {own && (
            <button
              type="button"
              className="icon-button small"
              aria-label="Edit message"
              title="Edit"
              tabIndex={tabIndex}
              onClick={startEdit}
            >
              <Icon name="edit" size={16} />
            </button>
          )}
          <button
            type="button"
            className="icon-button small"
            aria-label="Delete message"
            title="Delete"
            tabIndex={tabIndex}
            onClick={() => {
              setError(null);
              setConfirming(true);
            }}
          >
            <Icon name="trash" size={16} />
          </button>
        </div>
      )}
    </li>
  );
});
