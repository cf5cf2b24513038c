import type { KeyboardEvent } from 'react';

/**
 * Arrow keys (and Home, End) move focus between the items of a list that is one
 * tab stop (roving focus): `selector` picks the items inside the list element.
 */
export function moveFocus(event: KeyboardEvent<HTMLElement>, selector: string): void {
  const keys = ['ArrowUp', 'ArrowDown', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>(selector)];
  const index = items.indexOf(event.target as HTMLElement);
  if (index < 0) return;
  event.preventDefault();
  const to =
    event.key === 'ArrowUp'
      ? Math.max(0, index - 1)
      : event.key === 'ArrowDown'
        ? Math.min(items.length - 1, index + 1)
        : event.key === 'Home'
          ? 0
          : items.length - 1;
  items[to]?.focus();
}
