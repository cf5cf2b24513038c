/**
 * What the end-to-end scenario shares: settings from the environment, step
 * reporting, browser-problem watching and page helpers. Every wait is for a
 * selector, a text or a page condition, with a timeout.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE_URL = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000);
export const HEADED = process.env.E2E_HEADED === '1';
export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SHOTS = path.join(HERE, 'screenshots');

export const suffix = randomBytes(3).toString('hex');
export const USER_A = `ada_${suffix}`;
export const USER_B = `grace_${suffix}`;
export const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
export const ROOM = `launch-${suffix}`;
export const XSS = '<img src=x onerror=alert(1)>';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

// ------------------------------------------------------------------ reporting

let stepNo = 0;
export const stepCount = () => stepNo;
export const problems = [];

export async function step(title, fn) {
  stepNo += 1;
  const label = `${String(stepNo).padStart(2, '0')}. ${title}`;
  const started = Date.now();
  stepStarted = started;
  process.stdout.write(`▶ ${label}\n`);
  try {
    const result = await fn();
    process.stdout.write(`  ✓ ${label} (${Date.now() - started} ms)\n`);
    return result;
  } catch (error) {
    process.stdout.write(`  ✗ ${label} (${Date.now() - started} ms)\n`);
    throw error;
  }
}

let stepStarted = Date.now();

export function note(text) {
  process.stdout.write(`    ${text} (+${Date.now() - stepStarted} ms)\n`);
}

export function watch(page, who) {
  page.on('dialog', async (dialog) => {
    problems.push(`${who}: a ${dialog.type()} dialog fired: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => {
    problems.push(`${who}: uncaught page error: ${error.message}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') process.stdout.write(`    [${who} console] ${message.text()}\n`);
  });
}

export function assertNoProblems() {
  assert.deepEqual(problems, [], `browser problems:\n${problems.join('\n')}`);
}

// ------------------------------------------------------------------ page helpers

export const currentUser = (page) => page.getByTestId('current-user');
export const composer = (page) => page.getByRole('textbox', { name: `Message ${ROOM}` });

export async function register(page, username) {
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
  await page.getByRole('button', { name: 'Create an account' }).click({ timeout: TIMEOUT });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await currentUser(page).filter({ hasText: username }).waitFor({ timeout: TIMEOUT });
  await waitForConnection(page, 'connected');
}

export async function waitForConnection(page, state) {
  await page
    .locator(`[data-testid="connection-state"][data-state="${state}"]:visible`)
    .first()
    .waitFor({ timeout: TIMEOUT });
}

export async function waitForRoom(page) {
  await page.getByRole('heading', { level: 1, name: ROOM }).waitFor({ timeout: TIMEOUT });
  await composer(page).waitFor({ timeout: TIMEOUT });
}

/** Type and press Enter; wait until the server's copy replaced the pending one. */
export async function send(page, body) {
  const box = composer(page);
  await box.fill(body);
  await box.press('Enter');
  await page.waitForFunction(
    (text) =>
      document.querySelectorAll('[data-testid="pending-message"]').length === 0 &&
      [...document.querySelectorAll('[data-testid="message-body"]')].some(
        (el) => el.textContent === text,
      ),
    body,
    { timeout: TIMEOUT },
  );
}

export async function waitForMessage(page, body) {
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll('[data-testid="message-body"]')].some(
        (el) => el.textContent === text,
      ),
    body,
    { timeout: TIMEOUT },
  );
}

/** What the page shows, in DOM order: [{seq, body}]. */
export async function renderedMessages(page) {
  return page.$$eval('[data-testid="message"]', (items) =>
    items.map((item) => ({
      seq: Number(item.getAttribute('data-seq')),
      body: item.querySelector('[data-testid="message-body"]')?.textContent ?? null,
    })),
  );
}

export function assertOnceInOrder(list, who) {
  const seqs = list.map((m) => m.seq);
  assert.equal(new Set(seqs).size, seqs.length, `${who} shows a seq twice: ${seqs.join(',')}`);
  for (let i = 1; i < seqs.length; i += 1) {
    assert.equal(seqs[i], seqs[i - 1] + 1, `${who} shows seqs out of order or with a gap: ${seqs.join(',')}`);
  }
}

export async function waitForOnline(page, username, online = true, timeout = TIMEOUT) {
  const item = page.locator(`[data-testid="online-user"][data-username="${username}"]`);
  await item.first().waitFor({ state: online ? 'attached' : 'detached', timeout });
}

export async function screenshot(page, name) {
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file, fullPage: false });
  process.stdout.write(`    saved ${path.relative(process.cwd(), file)}\n`);
}

