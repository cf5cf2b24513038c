import { useId, useState, type SubmitEvent } from 'react';
import type { Room, User } from '../api/events';
import { useStore } from '../store/useChat';

interface Props {
  room: Room;
  me: User;
  members: readonly User[];
  onCancel: () => void;
}

/**
 * Leaving, confirmed. The owner of a room others belong to cannot just leave (the
 * server answers 409 `conflict`): they hand the room to a member first, here in
 * one step ("Hand over and leave"). Whether others belong to it shows from the
 * online list, or from the server's refusal.
 */
export function LeaveRoom({ room, me, members, onCancel }: Props) {
  const store = useStore();
  const id = useId();
  const others = members.filter((m) => m.id !== me.id);
  const owner = room.owner.id === me.id;
  const [handOver, setHandOver] = useState(owner && others.length > 0);
  const [successor, setSuccessor] = useState(others[0]?.username ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const leave = async () => {
    setBusy(true);
    setError(null);
    const result = await store.leaveRoom(room.id);
    setBusy(false);
    if (result.ok) return;
    if (result.code === 'conflict') {
      setHandOver(true);
      setError('Others are still members: hand the room over to one of them first.');
    } else {
      setError(result.message);
    }
  };

  const handOverAndLeave = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = successor.trim();
    if (!name) {
      setError('Choose the member who will own the room.');
      return;
    }
    setBusy(true);
    setError(null);
    const handed = await store.handOver(room.id, name);
    if (!handed.ok) {
      setBusy(false);
      setError(handed.code === 'not_found' ? `${name} is not a member of ${room.name}.` : handed.message);
      return;
    }
    await leave();
  };

  const errorLine = error && (
    <p className="field-error" role="alert">
      {error}
    </p>
  );

  if (handOver) {
    return (
      <form className="leave-confirm" onSubmit={(e) => void handOverAndLeave(e)}>
        <p id={`${id}-why`}>
          You own <strong>{room.name}</strong>. Hand it over to a member before you leave.
        </p>
        <label htmlFor={`${id}-owner`}>New owner</label>
        <input
          id={`${id}-owner`}
          list={`${id}-members`}
          value={successor}
          placeholder="Username of a member"
          autoComplete="off"
          aria-describedby={`${id}-why`}
          // The hand-over form replaces the button that opened it: focus moves here.
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
          onChange={(e) => {
            setSuccessor(e.target.value);
          }}
        />
        <datalist id={`${id}-members`}>
          {others.map((m) => (
            <option key={m.id} value={m.username} />
          ))}
        </datalist>
        {errorLine}
        <div className="confirm-actions">
          <button type="submit" className="button danger small" disabled={busy}>
            Hand over and leave
          </button>
          <button type="button" className="button ghost small" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    );
  }

  return (
    <div className="leave-confirm" role="group" aria-labelledby={`${id}-ask`}>
      <p id={`${id}-ask`}>
        Leave <strong>{room.name}</strong>?
        {room.private && ' You will need to be added again to come back.'}
      </p>
      {errorLine}
      <div className="confirm-actions">
        <button
          type="button"
          className="button danger small"
          disabled={busy}
          // The question replaces the button that asked it: focus moves to the answer.
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
          onClick={() => void leave()}
        >
          Leave
        </button>
        <button type="button" className="button ghost small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
