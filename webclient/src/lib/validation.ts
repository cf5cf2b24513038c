import { LIMITS } from '../api/events';

export type AuthMode = 'login' | 'register';

export interface FieldErrors {
  username?: string;
  password?: string;
}

/** The contract's rules, checked before the server has to say so. */
export function validateCredentials(mode: AuthMode, username: string, password: string): FieldErrors {
  const errors: FieldErrors = {};
  if (mode === 'login') {
    if (!username) errors.username = 'Enter your username.';
    if (!password) errors.password = 'Enter your password.';
    return errors;
  }
  if (username.length < LIMITS.usernameMin || username.length > LIMITS.usernameMax) {
    errors.username = `Use ${LIMITS.usernameMin}–${LIMITS.usernameMax} characters.`;
  } else if (!LIMITS.usernamePattern.test(username)) {
    errors.username = 'Letters, digits, and _ . - only.';
  }
  if (password.length < LIMITS.passwordMin || password.length > LIMITS.passwordMax) {
    errors.password = `Use ${LIMITS.passwordMin}–${LIMITS.passwordMax} characters.`;
  }
  return errors;
}
