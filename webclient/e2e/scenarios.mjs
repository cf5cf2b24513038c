/**
 * Steps of the end-to-end scenario for issue-sized features: formatting, the
 * "new messages" divider and own messages from another tab, keyboard and axe
 * checks, and the reader's place while older pages load by every way of scrolling.
 */
import assert from 'node:assert/strict';
import {
  ROOM,
  TIMEOUT,
  composer,
  note,
  screenshot,
  send,
  suffix,
  waitForConnection,
  waitForMessage,
  waitForRoom,
} from './lib.mjs';
import {
  apiUser,
  assertAccessible,
  holdOlderPages,
  keepsPlace,
  seedRoom,
  settled,
} from './checks.mjs';

const roomButton = (page, name) =>
  page.getByTestId('my-rooms').getByRole('button', { name: new RegExp(`^${name}`) });

/** Links, bold, italic and code render as elements; javascript: stays text. */
export async function formatting(pageA, pageB) {
  const body =
    'Notes: **v2.4.0** is *out* at https://example.com/notes?x=1. Run `make deploy`, ' +
    'never javascript:alert(1)';
  const box = composer(pageA);
  await box.fill(body);
  await box.press('Enter');
  const last = pageB.getByTestId('message').filter({ hasText: 'Notes:' }).last();
  await last.waitFor({ timeout: TIMEOUT });
  const link = last.locator('a');
  assert.equal(await link.count(), 1, 'exactly one link');
  assert.equal(await link.getAttribute('href'), 'https://example.com/notes?x=1');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  assert.equal(await last.locator('strong').textContent(), 'v2.4.0');
  assert.equal(await last.locator('em').textContent(), 'out');
  assert.equal(await last.locator('code').textContent(), 'make deploy');
  assert.match(await last.textContent(), /never javascript:alert\(1\)/);
}

/** Light and dark: zero serious or critical axe violations. */
export async function accessibleInBothThemes(page, what) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await settled(page);
    // Colours change through CSS transitions: scan once they have all finished.
    await page.waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== 'running'),
      null,
      { timeout: TIMEOUT },
    );
    await assertAccessible(page, `${what} (${scheme})`);
    if (scheme === 'dark') await screenshot(page, `${what.replaceAll(' ', '-')}-dark.png`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The skip link lands in the composer; the message list is one tab stop. */
export async function keyboard(page) {
  // Fresh page: the first Tab reaches the skip link, Enter follows it.
  await page.reload({ waitUntil: 'domcontentloaded' });
  await waitForRoom(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to conversation' });
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'Tab reaches the skip link first');
  await page.keyboard.press('Enter');
  assert.equal(
    await composer(page).evaluate((el) => el === document.activeElement),
    true,
    'the skip link lands in the composer',
  );
  // One message is in the tab order, with its own actions; every other control of
  // the list is not (100 own messages used to add 200 tab stops).
  const stops = await page.$eval('[data-testid="messages"]', (list) => {
    const tabbable = [...list.querySelectorAll('a[href], button, textarea, [tabindex]')].filter(
      (el) => el.tabIndex >= 0 && !el.disabled,
    );
    const items = new Set(tabbable.map((el) => el.closest('li[data-seq], li')));
    return { items: items.size, controls: tabbable.length };
  });
  assert.equal(stops.items, 1, `the message list has ${stops.items} messages in the tab order`);
  note(`the message list has ${stops.controls} tab stops (one message and its actions)`);
  const list = page.locator('[data-testid="messages"] li[data-seq][tabindex="0"]');
  await list.focus();
  const before = await page.evaluate(() => document.activeElement?.getAttribute('data-seq'));
  await page.keyboard.press('ArrowUp');
  const after = await page.evaluate(() => document.activeElement?.getAttribute('data-seq'));
  assert.equal(Number(after), Number(before) - 1, 'ArrowUp moves to the message above');
}

/**
 * B moves to a room of its own; A writes twice in ROOM; B's second tab (same user)
 * writes there too: B counts 2 unread, not 3, and opening ROOM shows the divider
 * above A's first new message.
 */
export async function dividerAndOwnMessages(pageA, pageB, ctxB) {
  const side = `side-${suffix}`;
  await pageB.getByRole('button', { name: 'New room' }).click();
  await pageB.getByLabel('Room name').fill(side);
  await pageB.getByRole('button', { name: 'Create room' }).click();
  await pageB.getByRole('heading', { level: 1, name: side }).waitFor({ timeout: TIMEOUT });
  await send(pageA, 'First of two while you were elsewhere');
  await send(pageA, 'Second of two');
  const badge = roomButton(pageB, ROOM).getByTestId('unread');
  await badge.filter({ hasText: '2' }).waitFor({ timeout: TIMEOUT });
  const tab = await ctxB.newPage();
  tab.setDefaultTimeout(TIMEOUT);
  await tab.goto(pageB.url(), { waitUntil: 'domcontentloaded' });
  await waitForConnection(tab, 'connected');
  await roomButton(tab, ROOM).click();
  await waitForRoom(tab);
  await send(tab, 'Written in my other tab');
  await waitForMessage(pageA, 'Written in my other tab');
  await tab.close();
  // The other tab's message reached B's first page too: still 2 unread, not 3.
  await pageB.waitForFunction(
    (room) =>
      document.querySelector(`[data-testid="my-rooms"] [data-room-name="${room}"]`)?.textContent?.includes('2') ??
      false,
    ROOM,
    { timeout: TIMEOUT },
  );
  assert.equal((await badge.textContent())?.trim(), '2', 'own messages counted as unread');
  await roomButton(pageB, ROOM).click();
  await waitForRoom(pageB);
  const divider = pageB.getByTestId('new-divider');
  await divider.waitFor({ timeout: TIMEOUT });
  const next = await divider.evaluate(
    (el) => el.nextElementSibling?.querySelector('[data-testid="message-body"]')?.textContent,
  );
  assert.equal(next, 'First of two while you were elsewhere');
}

/**
 * A room of 260 messages, older pages loaded by a script jump, a scrollbar drag,
 * small wheel steps, PageUp and Home: each time the first visible message stays
 * within 3 px; at most 150 messages are ever mounted.
 */
export async function scrollAnchor(page) {
  const name = `history-${suffix}`;
  const seeders = await Promise.all([1, 2, 3, 4].map((n) => apiUser(`seed${n}_${suffix}`)));
  try {
    const room = await seeders[0].api('/rooms', { method: 'POST', body: { name } });
    await seedRoom(room.id, seeders, 260);
    note('seeded 260 messages');
  } finally {
    for (const seeder of seeders) seeder.socket.close();
  }
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.getByRole('button', { name: `Join ${name}` }).click({ timeout: TIMEOUT });
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: TIMEOUT });
  await waitForMessage(page, 'history #260');
  const holder = await holdOlderPages(page);
  const scroller = page.getByTestId('message-scroll');
  const box = await scroller.boundingBox();
  try {
    await keepsPlace(page, holder, 'script jump near the top', async () => {
      await scroller.evaluate((el) => {
        el.scrollTop = 120;
      });
    });
    await keepsPlace(page, holder, 'scrollbar drag', async (i) => {
      const bar = await scroller.evaluate((el) => ({
        thumb: (el.scrollTop / el.scrollHeight) * el.clientHeight + (el.clientHeight * el.clientHeight) / el.scrollHeight / 2,
        width: el.offsetWidth - el.clientWidth,
      }));
      assert.ok(bar.width > 0, 'no classic scrollbar to drag');
      const x = box.x + box.width - bar.width / 2;
      await page.mouse.move(x, box.y + bar.thumb);
      await page.mouse.down();
      await page.mouse.move(x, box.y + Math.max(2, bar.thumb - 40 - i * 10), { steps: 4 });
      await page.mouse.up();
    });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await keepsPlace(page, holder, 'small wheel steps', () => page.mouse.wheel(0, -40));
    // Focus a message in view without scrolling (as a click on it would).
    const focused = await scroller.evaluate((el) => {
      const top = el.getBoundingClientRect().top;
      const item = [...el.querySelectorAll('li[data-seq]')].find(
        (li) => li.getBoundingClientRect().top >= top,
      );
      item?.focus({ preventScroll: true });
      return document.activeElement === item;
    });
    assert.ok(focused, 'no message in view to focus');
    await keepsPlace(page, holder, 'PageUp', () => page.keyboard.press('PageUp'));
    await keepsPlace(page, holder, 'Home', () => page.keyboard.press('Home'));
  } finally {
    await holder.release();
    await holder.stop();
  }
  const mounted = await page.locator('[data-testid="message"]').count();
  note(`${mounted} messages mounted of 260 loaded`);
  assert.ok(mounted <= 150, `${mounted} messages mounted`);
  await page.getByRole('button', { name: /Jump to latest|New messages/ }).click();
  await waitForMessage(page, 'history #260');
}

/**
 * B writes while cut off, then reloads while the socket still cannot connect: the
 * message is still there (localStorage), and once the socket is back it arrives,
 * once, for both.
 */
export async function outboxSurvivesReload(pageA, pageB, ctxB) {
  const body = `Kept over a reload ${suffix}`;
  const socketUrl = /\/socket\.io\//;
  let blocked = true;
  // While blocked, every socket B opens is closed at once; after, passed through.
  await pageB.routeWebSocket(socketUrl, (ws) => {
    if (blocked) ws.close();
    else ws.connectToServer();
  });
  const refusePolling = (route) => route.abort();
  await pageB.route(socketUrl, refusePolling);
  await ctxB.setOffline(true);
  await pageB
    .locator('[data-testid="connection-state"]:visible:not([data-state="connected"])')
    .first()
    .waitFor({ timeout: TIMEOUT });
  const box = composer(pageB);
  await box.fill(body);
  await box.press('Enter');
  await pageB.getByTestId('pending-message').filter({ hasText: body }).waitFor({ timeout: TIMEOUT });
  await ctxB.setOffline(false);
  await pageB.reload({ waitUntil: 'domcontentloaded' });
  await waitForRoom(pageB);
  const pending = pageB.getByTestId('pending-message').filter({ hasText: body });
  await pending.waitFor({ timeout: TIMEOUT });
  note(`after the reload B shows it as ${await pending.getAttribute('data-status')}`);
  const stored = await pageB.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith('chatapp.outbox.')),
  );
  assert.equal(stored.length, 1, 'the outbox is not in localStorage');
  blocked = false;
  await pageB.unroute(socketUrl, refusePolling);
  await waitForConnection(pageB, 'connected');
  await waitForMessage(pageB, body);
  await waitForMessage(pageA, body);
  for (const [who, page] of [
    ['A', pageA],
    ['B', pageB],
  ]) {
    const copies = await page.$$eval(
      '[data-testid="message-body"]',
      (els, text) => els.filter((el) => el.textContent === text).length,
      body,
    );
    assert.equal(copies, 1, `${who} shows the message ${copies} times`);
  }
  await pageB.getByTestId('pending-message').waitFor({ state: 'detached', timeout: TIMEOUT });
}
