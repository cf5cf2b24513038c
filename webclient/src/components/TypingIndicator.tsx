import { typingText } from '../lib/format';
import type { TypingEntry } from '../store/state';

interface Props {
  typing: Readonly<Record<number, TypingEntry>>;
}

/** "alice is typing…": a line that is always there, so the layout never jumps. */
export function TypingIndicator({ typing }: Props) {
  const names = Object.values(typing)
    .map((entry) => entry.user.username)
    .sort((a, b) => a.localeCompare(b));
  const text = typingText(names);
  return (
    <div className="typing" aria-live="polite" data-testid="typing">
      {text && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span>{text}</span>
        </>
      )}
    </div>
  );
}
