/** Editing and deleting messages already stored: one ack each, no retry. */
import type { ChatStore } from './chatStore';
import type { Result } from './core';
import { checkBody } from './outbox';

export class EditsPart {
  constructor(private readonly store: ChatStore) {}

  async edit(messageId: number, text: string): Promise<Result> {
    const checked = checkBody(text, 'A message cannot be empty.');
    if (!checked.ok) return { ok: false, code: checked.code, message: checked.message };
    const realtime = this.store.realtime;
    if (!realtime) return { ok: false, code: 'disconnected', message: 'Not connected.' };
    const ack = await realtime.request('edit', { message_id: messageId, body: checked.body });
    if (!ack.ok) return { ok: false, code: ack.error.code, message: ack.error.message };
    this.store.dispatch({ type: 'message/updated', message: ack.message });
    return { ok: true };
  }

  async remove(messageId: number): Promise<Result> {
    const realtime = this.store.realtime;
    if (!realtime) return { ok: false, code: 'disconnected', message: 'Not connected.' };
    const ack = await realtime.request('delete', { message_id: messageId });
    if (!ack.ok) return { ok: false, code: ack.error.code, message: ack.error.message };
    this.store.dispatch({ type: 'message/updated', message: ack.message });
    return { ok: true };
  }
}
