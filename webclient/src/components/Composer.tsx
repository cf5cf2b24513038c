import { useId, useRef, useState, type SubmitEvent, type KeyboardEvent } from 'react';
import { LIMITS } from '../api/events';
import { useStore } from '../store/useChat';
import { Icon } from './Icon';

interface Props {
  roomId: number;
  roomName: string;
  disabled?: boolean;
  /** ArrowUp in an empty composer: edit the user's last message. */
  onEditLast?: () => void;
}

const MAX_HEIGHT = 200;
const WARN_AT = LIMITS.bodyMax - 500;

/** Enter sends, Shift+Enter breaks the line; typing is announced (throttled). */
export function Composer({ roomId, roomName, disabled = false, onEditLast }: Props) {
  const store = useStore();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const resize = () => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  };

  const send = () => {
    if (disabled) return;
    const result = store.send(roomId, text);
    if (!result.ok) {
      if (result.code !== 'invalid') setError(result.message);
      return;
    }
    setText('');
    setError(null);
    requestAnimationFrame(resize);
  };

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'ArrowUp' && text === '' && onEditLast) {
      event.preventDefault();
      onEditLast();
    }
  };

  const length = text.trim().length;
  const tooLong = length > LIMITS.bodyMax;

  return (
    <form className="composer" onSubmit={onSubmit} aria-label={`Send a message to ${roomName}`}>
      <div className={`composer-box${tooLong ? ' invalid' : ''}`}>
        <label htmlFor={`${id}-input`} className="visually-hidden">
          Message {roomName}
        </label>
        <textarea
          id={`${id}-input`}
          ref={inputRef}
          className="composer-input"
          data-testid="composer"
          rows={1}
          placeholder={`Message ${roomName}`}
          value={text}
          disabled={disabled}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          aria-invalid={tooLong ? true : undefined}
          onChange={(event) => {
            setText(event.target.value);
            if (error) setError(null);
            resize();
            if (event.target.value.trim()) store.typing(roomId);
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="send-button"
          aria-label="Send message"
          disabled={disabled || length === 0 || tooLong}
        >
          <Icon name="send" />
        </button>
      </div>
      <div className="composer-foot">
        <span id={`${id}-hint`} className="hint">
          <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
        </span>
        {length > WARN_AT && (
          <span className={`counter${tooLong ? ' over' : ''}`}>
            {length} / {LIMITS.bodyMax}
          </span>
        )}
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
