import { avatarColour, initials } from '../lib/format';

interface Props {
  username: string;
  size?: 'sm' | 'md' | 'lg';
  online?: boolean;
}

/** Initials on a per-user colour; decorative, the name is always shown next to it. */
export function Avatar({ username, size = 'md', online }: Props) {
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ background: avatarColour(username) }}
      aria-hidden="true"
    >
      {initials(username)}
      {online !== undefined && <span className={online ? 'presence on' : 'presence'} />}
    </span>
  );
}
