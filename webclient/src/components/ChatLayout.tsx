import { useEffect, useMemo, useRef, useState } from 'react';
import { useChatState } from '../store/useChat';
import { Icon } from './Icon';
import { RoomPanel } from './RoomPanel';
import { Sidebar } from './Sidebar';

const SIDEBAR_ID = 'sidebar';

/** Sidebar + room. Below 800px the sidebar is a drawer behind the menu button. */
export function ChatLayout() {
  const activeRoomId = useChatState((s) => s.activeRoomId);
  const me = useChatState((s) => s.session.user);
  const roomNotice = useChatState((s) => s.roomNotice);
  const rooms = useChatState((s) => s.rooms);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const menuRef = useRef<HTMLButtonElement>(null);

  const unread = useMemo(
    () =>
      Object.values(rooms).reduce(
        (sum, room) => sum + (room.id === activeRoomId ? 0 : (room.unread ?? 0)),
        0,
      ),
    [rooms, activeRoomId],
  );
  const activeName = activeRoomId === null ? undefined : rooms[activeRoomId]?.name;

  useEffect(() => {
    const base = activeName ? `${activeName} · ChatApp` : 'ChatApp';
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
    return () => {
      document.title = 'ChatApp';
    };
  }, [unread, activeName]);

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setDrawerOpen(false);
        menuRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    // Move focus into the drawer so keyboard users land in it.
    document.querySelector<HTMLElement>(`#${SIDEBAR_ID} button, #${SIDEBAR_ID} input`)?.focus();
    return () => {
      document.removeEventListener('keydown', onKey);
    };
  }, [drawerOpen]);

  if (!me) return null;

  const closeDrawer = () => {
    setDrawerOpen(false);
  };

  const menuButton = (
    <button
      ref={menuRef}
      type="button"
      className="icon-button menu-button"
      aria-label="Show rooms"
      aria-expanded={drawerOpen}
      aria-controls={SIDEBAR_ID}
      onClick={() => {
        setDrawerOpen((v) => !v);
      }}
    >
      <Icon name="menu" />
    </button>
  );

  return (
    <div className={`layout${drawerOpen ? ' drawer-open' : ''}`}>
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // Straight into the message box when a room is open, else the main area.
          const target =
            document.querySelector<HTMLElement>('#main textarea[data-testid="composer"]') ??
            document.getElementById('main');
          if (target) {
            event.preventDefault();
            target.focus();
          }
        }}
      >
        Skip to conversation
      </a>
      <Sidebar
        id={SIDEBAR_ID}
        onNavigate={closeDrawer}
        onClose={() => {
          setDrawerOpen(false);
          menuRef.current?.focus();
        }}
      />
      <div className="scrim" aria-hidden="true" onClick={closeDrawer} />
      <main id="main" className="main" tabIndex={-1}>
        {activeRoomId !== null ? (
          <RoomPanel key={activeRoomId} roomId={activeRoomId} me={me} menuButton={menuButton} />
        ) : (
          <section className="room room-empty" aria-labelledby="empty-title">
            <header className="room-header">{menuButton}</header>
            <div className="empty-state">
              <div className="empty-art" aria-hidden="true">
                <span />
                <span />
                <span />
              </div>
              {roomNotice && (
                <p className="notice" role="status" data-testid="room-notice">
                  {roomNotice}
                </p>
              )}
              <h1 id="empty-title">Pick a room to start talking</h1>
              <p>Join a public room, or create one and invite people in.</p>
              <button
                type="button"
                className="button primary empty-open"
                onClick={() => {
                  setDrawerOpen(true);
                }}
              >
                Browse rooms
              </button>
            </div>
          </section>
        )}
      </main>
    </div>
  );
}
