import type { PendingMessage } from '../store/state';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

interface Props {
  pending: PendingMessage;
  username: string;
  grouped: boolean;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}

const STATUS: Record<PendingMessage['status'], string> = {
  queued: 'Waiting for connection…',
  sending: 'Sending…',
  failed: 'Not sent',
};

/** A message shown before the server confirmed it (optimistic display). */
export function PendingItem({ pending, username, grouped, onRetry, onDiscard }: Props) {
  return (
    <li
      className={`msg own pending${grouped ? ' grouped' : ''} ${pending.status}`}
      data-testid="pending-message"
      data-client-id={pending.client_id}
      data-status={pending.status}
    >
      <div className="msg-gutter">{!grouped && <Avatar username={username} />}</div>
      <div className="msg-main">
        {!grouped && (
          <div className="msg-head">
            <span className="msg-author">{username}</span>
          </div>
        )}
        <p className="msg-body">{pending.body}</p>
        <p className="msg-status" role={pending.status === 'failed' ? 'alert' : undefined}>
          {STATUS[pending.status]}
          {pending.status === 'failed' && pending.error && <>: {pending.error}</>}
          {pending.status === 'failed' && (
            <>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  onRetry(pending.client_id);
                }}
              >
                <Icon name="retry" size={14} /> Retry
              </button>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  onDiscard(pending.client_id);
                }}
              >
                Discard
              </button>
            </>
          )}
        </p>
      </div>
    </li>
  );
}
