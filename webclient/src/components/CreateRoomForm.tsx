import { useId, useRef, useState, type SubmitEvent } from 'react';
import { useStore } from '../store/useChat';
import { Icon } from './Icon';

interface Props {
  onCreated?: () => void;
}

/** "New room": a name and a public/private choice; errors from the server inline. */
export function CreateRoomForm({ onCreated }: Props) {
  const store = useStore();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const id = useId();

  const close = () => {
    setOpen(false);
    setName('');
    setPrivate(false);
    setError(null);
    toggleRef.current?.focus();
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Give the room a name.');
      return;
    }
    setBusy(true);
    const result = await store.createRoom(trimmed, isPrivate);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setOpen(false);
    setName('');
    setPrivate(false);
    setError(null);
    onCreated?.();
  };

  return (
    <div className="create-room">
      <button
        ref={toggleRef}
        type="button"
        className="button ghost wide"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        onClick={() => {
          if (open) close();
          else setOpen(true);
        }}
      >
        <Icon name="plus" /> New room
      </button>
      {open && (
        <form
          id={`${id}-form`}
          className="create-room-form"
          onSubmit={(e) => void submit(e)}
          aria-label="Create a room"
          noValidate
        >
          <div className="field">
            <label htmlFor={`${id}-name`}>Room name</label>
            <input
              id={`${id}-name`}
              value={name}
              maxLength={64}
              // The form opens on an explicit click; focusing its only field is expected.
              // eslint-disable-next-line jsx-a11y/no-autofocus
              autoFocus
              onChange={(e) => {
                setName(e.target.value);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Escape') close();
              }}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
            />
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={isPrivate}
              onChange={(e) => {
                setPrivate(e.target.checked);
              }}
            />
            <span>
              Private <small>— only people you add can see it</small>
            </span>
          </label>
          {error && (
            <p className="field-error" id={`${id}-error`} role="alert">
              {error}
            </p>
          )}
          <div className="form-actions">
            <button type="button" className="button ghost" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create room'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
