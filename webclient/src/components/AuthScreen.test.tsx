import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../test/fakeBackend';
import { renderApp } from '../test/render';

describe('AuthScreen', () => {
  it('checks the contract’s rules inline before asking the server', async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend();
    await renderApp(backend);
    await user.click(screen.getByRole('button', { name: 'Create an account' }));
    await user.type(screen.getByLabelText('Username'), 'a!');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Use 3–32 characters.')).toBeInTheDocument();
    expect(screen.getByText('Use 8–128 characters.')).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    await user.clear(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'bad name');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Letters, digits, and _ . - only.')).toBeInTheDocument();
    expect(backend.httpCalls).not.toContain('register');
  });

  it('shows the server’s error message inline', async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend();
    backend.addUser('alice', 'password123');
    await renderApp(backend);
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(screen.getByText('Enter your username.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'not-the-password');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
  });

  it('registers, then lands in the chat', async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend();
    backend.addUser('taken', 'password123');
    await renderApp(backend);
    await user.click(screen.getByRole('button', { name: 'Create an account' }));
    await user.type(screen.getByLabelText('Username'), 'Taken');
    await user.type(screen.getByLabelText('Password'), 'password123');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That username is taken.');
    await user.clear(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'carol');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByTestId('current-user')).toHaveTextContent('carol');
  });

  it('shows and hides the password', async () => {
    const user = userEvent.setup();
    await renderApp(new FakeBackend());
    const field = screen.getByLabelText('Password');
    expect(field).toHaveAttribute('type', 'password');
    await user.click(screen.getByRole('button', { name: 'Show password' }));
    expect(field).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Hide password' }));
    expect(field).toHaveAttribute('type', 'password');
  });

  it('explains why the user was signed out', async () => {
    const backend = new FakeBackend();
    const { store } = await renderApp(backend);
    store.signOut('Your session has ended. Please log in again.');
    const status = await screen.findByText('Your session has ended. Please log in again.');
    expect(within(status).getByText(/session has ended/)).toBeInTheDocument();
  });
});
