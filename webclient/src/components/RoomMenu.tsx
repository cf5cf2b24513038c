import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import type { Room, User } from '../api/events';
import { useStore } from '../store/useChat';
import { Icon } from './Icon';
import { LeaveRoom } from './LeaveRoom';

interface Props {
  room: Room;
  me: User;
  /** Others known to be in the room (the online list): the hand-over suggestions. */
  members: readonly User[];
}

/** Room options: invite (owner of a private room) and leave (confirmed; hand-over). */
export function RoomMenu({ room, me, members }: Props) {
  const store = useStore();
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [username, setUsername] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const id = useId();
  const canInvite = room.private && room.owner.id === me.id;

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !buttonRef.current?.contains(target)) {
        setOpen(false);
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    setLeaving(false);
    setMessage(null);
    buttonRef.current?.focus();
  };

  const invite = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = username.trim();
    if (!name) return;
    const result = await store.addMember(room.id, name);
    if (result.ok) {
      setMessage({ ok: true, text: `${name} was added to ${room.name}.` });
      setUsername('');
    } else {
      setMessage({ ok: false, text: result.message });
    }
  };

  return (
    <div className="room-menu">
      <button
        ref={buttonRef}
        type="button"
        className="icon-button"
        aria-label="Room options"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => {
          if (open) close();
          else {
            setLeaving(false);
            setOpen(true);
          }
        }}
      >
        <Icon name="more" />
      </button>
      {open && (
        <div
          id={`${id}-panel`}
          ref={panelRef}
          className="popover"
          role="group"
          aria-label="Room options"
        >
          {!leaving && canInvite && (
            <form className="invite" onSubmit={(e) => void invite(e)}>
              <label htmlFor={`${id}-invite`}>Add someone to this private room</label>
              <div className="input-with-button">
                <input
                  id={`${id}-invite`}
                  value={username}
                  placeholder="Username"
                  autoComplete="off"
                  // Opening the menu is an explicit action; its first field takes focus.
                  // eslint-disable-next-line jsx-a11y/no-autofocus
                  autoFocus
                  onChange={(e) => {
                    setUsername(e.target.value);
                  }}
                />
                <button type="submit" className="button primary small" aria-label="Add member">
                  <Icon name="userPlus" size={16} />
                </button>
              </div>
            </form>
          )}
          {message && (
            <p className={message.ok ? 'notice' : 'field-error'} role="status">
              {message.text}
            </p>
          )}
          {leaving ? (
            <LeaveRoom
              room={room}
              me={me}
              members={members}
              onCancel={() => {
                setLeaving(false);
              }}
            />
          ) : (
            <button
              type="button"
              className="button danger-ghost wide"
              // eslint-disable-next-line jsx-a11y/no-autofocus
              autoFocus={!canInvite}
              onClick={() => {
                setMessage(null);
                setLeaving(true);
              }}
            >
              <Icon name="door" size={16} /> Leave {room.name}…
            </button>
          )}
        </div>
      )}
    </div>
  );
}
