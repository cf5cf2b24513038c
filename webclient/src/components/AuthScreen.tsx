import { useId, useState, type SubmitEvent } from 'react';
import { validateCredentials, type AuthMode as Mode, type FieldErrors } from '../lib/validation';
import { useChatState, useStore } from '../store/useChat';
import { Icon } from './Icon';

export function AuthScreen() {
  const store = useStore();
  const notice = useChatState((s) => s.session.notice);
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const switchMode = (next: Mode) => {
    setMode(next);
    setError(null);
    setFieldErrors({});
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    const errors = validateCredentials(mode, username.trim(), password);
    setFieldErrors(errors);
    setError(null);
    if (errors.username ?? errors.password) return;
    setBusy(true);
    const result =
      mode === 'login'
        ? await store.login(username.trim(), password)
        : await store.register(username.trim(), password);
    setBusy(false);
    if (!result.ok) setError(result.message);
  };

  const title = mode === 'login' ? 'Welcome back' : 'Create your account';
  const userErrorId = `${id}-user-error`;
  const passErrorId = `${id}-pass-error`;

  return (
    <div className="auth">
      <section className="auth-hero" aria-hidden="true">
        <div className="auth-hero-inner">
          <div className="brand brand-lg">
            <span className="brand-mark" />
            <span>ChatApp</span>
          </div>
          <p className="auth-tagline">Conversations that keep up with you.</p>
          <ul className="auth-points">
            <li>Live rooms with typing and presence</li>
            <li>Nothing lost when your connection drops</li>
            <li>Private rooms for the people you pick</li>
          </ul>
        </div>
      </section>
      <main className="auth-main">
        <form className="auth-card" onSubmit={(e) => void submit(e)} noValidate>
          <div className="brand auth-brand-small">
            <span className="brand-mark" aria-hidden="true" />
            <span>ChatApp</span>
          </div>
          <h1>{title}</h1>
          <p className="auth-sub">
            {mode === 'login'
              ? 'Log in to pick up where you left off.'
              : 'Pick a username and a password of 8 characters or more.'}
          </p>
          {notice && !error && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-username`}>Username</label>
            <input
              id={`${id}-username`}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(e) => {
                setUsername(e.target.value);
              }}
              aria-invalid={fieldErrors.username ? true : undefined}
              aria-describedby={fieldErrors.username ? userErrorId : undefined}
              maxLength={64}
            />
            {fieldErrors.username && (
              <p className="field-error" id={userErrorId}>
                {fieldErrors.username}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <div className="input-with-button">
              <input
                id={`${id}-password`}
                name="password"
                type={showPassword ? 'text' : 'password'}
                autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
                value={password}
                onChange={(e) => {
                  setPassword(e.target.value);
                }}
                aria-invalid={fieldErrors.password ? true : undefined}
                aria-describedby={fieldErrors.password ? passErrorId : undefined}
                maxLength={256}
              />
              <button
                type="button"
                className="icon-button"
                aria-label={showPassword ? 'Hide password' : 'Show password'}
                aria-pressed={showPassword}
                onClick={() => {
                  setShowPassword((v) => !v);
                }}
              >
                <Icon name={showPassword ? 'eyeOff' : 'eye'} />
              </button>
            </div>
            {fieldErrors.password && (
              <p className="field-error" id={passErrorId}>
                {fieldErrors.password}
              </p>
            )}
          </div>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button primary wide" disabled={busy}>
            {busy ? 'Please wait…' : mode === 'login' ? 'Log in' : 'Create account'}
          </button>
          <p className="auth-switch">
            {mode === 'login' ? 'New here?' : 'Already have an account?'}{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                switchMode(mode === 'login' ? 'register' : 'login');
              }}
            >
              {mode === 'login' ? 'Create an account' : 'Log in instead'}
            </button>
          </p>
        </form>
      </main>
    </div>
  );
}
