import type { ConnectionStatus } from '../store/state';
import { useChatState } from '../store/useChat';

const LABELS: Record<ConnectionStatus, string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Always visible: whether live updates flow right now. */
export function ConnectionBadge({ className = '' }: { className?: string }) {
  const status = useChatState((s) => s.connection);
  const state = status === 'idle' ? 'offline' : status;
  return (
    <div
      className={`conn conn-${state} ${className}`.trim()}
      role="status"
      data-testid="connection-state"
      data-state={state}
    >
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{LABELS[status]}</span>
    </div>
  );
}
