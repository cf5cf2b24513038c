/**
 * Steps of the end-to-end scenario for the second edition: rooms that appear
 * live (room_created, room_added), message search and opening a result, and the
 * owner handing a room over on leaving it.
 */
import assert from 'node:assert/strict';
import { ROOM, TIMEOUT, USER_B, note, suffix } from './lib.mjs';

export const VAULT = `vault-${suffix}`;

const myRoom = (page, name) =>
  page.getByTestId('my-rooms').getByRole('button', { name: new RegExp(`^${name}`) });

/** Mark the page so that a reload (which would lose the mark) shows. */
export async function markNoReload(page) {
  await page.evaluate(() => {
    window.__e2eNoReload = true;
  });
}

export async function assertNoReload(page, what) {
  const kept = await page.evaluate(() => window.__e2eNoReload === true);
  assert.ok(kept, `${what}: the page was reloaded`);
}

/** A creates a private room and adds B: B's list shows it without a reload. */
export async function privateRoomAppears(pageA, pageB) {
  await markNoReload(pageB);
  await pageA.getByRole('button', { name: 'New room' }).click();
  await pageA.getByLabel('Room name').fill(VAULT);
  await pageA.getByLabel(/^Private/).check();
  await pageA.getByRole('button', { name: 'Create room' }).click();
  await pageA.getByRole('heading', { level: 1, name: VAULT }).waitFor({ timeout: TIMEOUT });
  await pageA.getByRole('button', { name: 'Room options' }).first().click();
  await pageA.getByLabel('Add someone to this private room').fill(USER_B);
  await pageA.getByRole('button', { name: 'Add member' }).click();
  await pageA.getByText(`${USER_B} was added to ${VAULT}.`).waitFor({ timeout: TIMEOUT });
  await pageA.keyboard.press('Escape');
  await myRoom(pageB, VAULT).waitFor({ timeout: TIMEOUT });
  await assertNoReload(pageB, 'room_added');
  note(`B lists ${VAULT} without a reload`);
  await myRoom(pageA, ROOM).click();
  await pageA.getByRole('heading', { level: 1, name: ROOM }).waitFor({ timeout: TIMEOUT });
}

/** Search for `words`; wait for the results (or the empty state). */
export async function search(page, words) {
  const field = page.getByRole('searchbox', { name: 'Search messages' });
  await field.fill(words);
  await field.press('Enter');
  await page
    .getByTestId('search-status')
    .filter({ hasText: /results? for|No messages match/ })
    .waitFor({ timeout: TIMEOUT });
}

export async function clearSearch(page) {
  await page.getByRole('button', { name: 'Clear search' }).click();
  await page.getByTestId('my-rooms').waitFor({ state: 'visible', timeout: TIMEOUT });
}

/**
 * Search finds `body` (sent by `sender`) for `words`; opening the result shows the
 * room `room` with that message in view, highlighted.
 */
export async function searchAndOpen(page, { words, body, sender, room }) {
  await search(page, words);
  const result = page
    .getByTestId('search-results')
    .getByRole('button')
    .filter({ hasText: body })
    .first();
  await result.waitFor({ timeout: TIMEOUT });
  const text = await result.textContent();
  assert.ok(text.includes(sender), `the result does not name its sender: ${text}`);
  assert.ok(text.includes(`in ${room}`), `the result does not name its room: ${text}`);
  const marked = await result.locator('mark').allTextContents();
  assert.ok(marked.length > 0, 'no matched word is marked in the excerpt');
  await result.click();
  await page.getByRole('heading', { level: 1, name: room }).waitFor({ timeout: TIMEOUT });
  const shown = page.locator('li.jump-highlight[data-seq]').filter({ hasText: body });
  await shown.waitFor({ timeout: TIMEOUT });
  const inView = await shown.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const pane = el.closest('[data-testid="message-scroll"]').getBoundingClientRect();
    return box.bottom > pane.top && box.top < pane.bottom;
  });
  assert.ok(inView, 'the opened result is not scrolled into view');
  await clearSearch(page);
}

/**
 * A owns VAULT, B is a member: A's plain leave is refused, A hands it to B and
 * leaves; the room goes from A's list and B, opening it, is shown as its owner
 * (and may now add people).
 */
export async function handOverOnLeave(pageA, pageB) {
  await myRoom(pageA, VAULT).click();
  await pageA.getByRole('heading', { level: 1, name: VAULT }).waitFor({ timeout: TIMEOUT });
  await pageA.getByRole('button', { name: 'Room options' }).first().click();
  await pageA.getByRole('button', { name: `Leave ${VAULT}…` }).click();
  await pageA.locator('.leave-confirm').waitFor({ timeout: TIMEOUT });
  const leave = pageA.getByRole('button', { name: 'Leave', exact: true });
  // With B online in the room the hand-over form shows at once; else the server's
  // 409 brings it.
  if (await leave.isVisible()) await leave.click();
  await pageA.getByLabel('New owner').fill(USER_B);
  await pageA.getByRole('button', { name: 'Hand over and leave' }).click();
  await myRoom(pageA, VAULT).waitFor({ state: 'detached', timeout: TIMEOUT });
  note(`A left ${VAULT}`);
  await myRoom(pageB, VAULT).click();
  await pageB.getByRole('heading', { level: 1, name: VAULT }).waitFor({ timeout: TIMEOUT });
  await pageB.getByText(`Private · owned by ${USER_B}`).waitFor({ timeout: TIMEOUT });
  await pageB.getByRole('button', { name: 'Room options' }).first().click();
  await pageB.getByLabel('Add someone to this private room').waitFor({ timeout: TIMEOUT });
  await pageB.keyboard.press('Escape');
}
