import { act } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeBackend } from '../test/fakeBackend';
import { renderApp } from '../test/render';
import { FOCUS_REFRESH_MS } from './ChatProvider';

describe('ChatProvider', () => {
  it('no longer polls the room list; focus refreshes a stale one', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout', 'Date'] });
    try {
      const backend = new FakeBackend();
      backend.addUser('alice');
      await renderApp(backend, 'alice');
      const listings = () => backend.httpCalls.filter((c) => c === 'listRooms').length;
      const before = listings();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(120_000);
      });
      expect(listings()).toBe(before);
      await act(async () => {
        window.dispatchEvent(new Event('focus'));
        await vi.advanceTimersByTimeAsync(FOCUS_REFRESH_MS);
      });
      expect(listings()).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});
