import { useId, useRef, useState, type SubmitEvent } from 'react';
import { LIMITS, type Message } from '../api/events';
import { excerptParts } from '../lib/excerpt';
import { formatDay, formatTime } from '../lib/format';
import { useChatState, useStore } from '../store/useChat';
import { Icon } from './Icon';

interface Props {
  /** Whether results (or their state) are showing: the room lists make way for them. */
  onActive: (active: boolean) => void;
  /** A result was opened (closes the drawer on phones). */
  onNavigate: () => void;
}

interface Results {
  query: string;
  messages: Message[];
  hasMore: boolean;
}

/**
 * The message search of the sidebar: a search field, then the results newest first
 * (sender, room, the excerpt with the matched words marked, time), paged by
 * "More results". Choosing one opens it in its room.
 */
export function MessageSearch({ onActive, onNavigate }: Props) {
  const store = useStore();
  const rooms = useChatState((s) => s.rooms);
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState<'search' | 'more' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);

  const run = async (query: string, before?: number) => {
    setBusy(before === undefined ? 'search' : 'more');
    setError(null);
    setOpenError(null);
    const answer = await store.searchMessages(query, before);
    setBusy(null);
    if (!answer.ok) {
      setError(answer.message);
      return;
    }
    const { results: page, has_more } = answer.page;
    setResults((shown) => ({
      query,
      messages: before === undefined || !shown ? page : [...shown.messages, ...page],
      hasMore: has_more,
    }));
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const query = text.trim();
    if (!query) return;
    setResults(null);
    onActive(true);
    void run(query);
  };

  const clear = () => {
    setText('');
    setResults(null);
    setError(null);
    setOpenError(null);
    onActive(false);
    inputRef.current?.focus();
  };

  const open = async (message: Message) => {
    setOpenError(null);
    const result = await store.openMessage(message);
    if (result.ok) onNavigate();
    else setOpenError(result.message);
  };

  const last = results?.messages[results.messages.length - 1];
  const active = results !== null || error !== null || busy !== null;
  const status =
    busy === 'search'
      ? 'Searching…'
      : results === null
        ? ''
        : results.messages.length === 0
          ? `No messages match “${results.query}”.`
          : `${String(results.messages.length)}${results.hasMore ? '+' : ''} ${
              results.messages.length === 1 ? 'result' : 'results'
            } for “${results.query}”`;

  return (
    <section className="message-search" aria-label="Message search">
      <form role="search" className="search" onSubmit={submit}>
        <label htmlFor={`${id}-q`} className="visually-hidden">
          Search messages
        </label>
        <Icon name="search" size={16} />
        <input
          id={`${id}-q`}
          ref={inputRef}
          type="search"
          placeholder="Search messages"
          maxLength={LIMITS.searchMax}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && active) clear();
          }}
        />
      </form>
      {active && (
        <div className="search-results">
          <div className="search-results-head">
            <p role="status" className="list-title search-status" data-testid="search-status">
              {status}
            </p>
            <button type="button" className="button ghost small" onClick={clear}>
              Clear search
            </button>
          </div>
          {error && (
            <div className="field-error" role="alert">
              <p>Search failed: {error}</p>
              {results === null && (
                <button
                  type="button"
                  className="button small"
                  onClick={() => void run(text.trim())}
                >
                  <Icon name="retry" size={14} /> Try again
                </button>
              )}
            </div>
          )}
          {openError && (
            <p className="field-error" role="alert">
              {openError}
            </p>
          )}
          {results && results.messages.length > 0 && (
            <ol className="result-list" data-testid="search-results">
              {results.messages.map((message) => (
                <li key={message.id}>
                  <button
                    type="button"
                    className="result"
                    onClick={() => void open(message)}
                    data-message-id={message.id}
                  >
                    <span className="result-head">
                      <span className="result-sender">{message.sender.username}</span>
                      <span className="result-room">
                        in {rooms[message.room_id]?.name ?? `room ${String(message.room_id)}`}
                      </span>
                      <time className="result-time" dateTime={message.created_at}>
                        {formatDay(message.created_at)}, {formatTime(message.created_at)}
                      </time>
                    </span>
                    <span className="result-excerpt">
                      {excerptParts(message.body, results.query).map((part, index) =>
                        part.match ? <mark key={index}>{part.text}</mark> : part.text,
                      )}
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
          {results?.hasMore && last && (
            <button
              type="button"
              className="button small more-results"
              disabled={busy === 'more'}
              onClick={() => void run(results.query, last.id)}
            >
              {busy === 'more' ? 'Loading more…' : 'More results'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
