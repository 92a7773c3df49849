// Signing in: a key is accepted once the server lists namespaces with it, and is then kept in
// sessionStorage (see api.js) until sign-out or the tab closes.

import { call, session, ApiError } from './api.js';
import { $ } from './dom.js';

const MAX_KEY_LENGTH = 256;

/** Shows the sign-in form; resolves once a key works. */
export function signIn() {
  $('#workspace').hidden = true;
  $('#scope').hidden = true;
  $('#signin').hidden = false;
  const form = $('#signin-form');
  const input = $('#apikey');
  const error = $('#signin-error');
  input.value = '';
  error.textContent = '';
  input.focus();
  return new Promise((resolve) => {
    const submit = async (e) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) return void (error.textContent = 'Paste an API key.');
      if (key.length > MAX_KEY_LENGTH || /\s/.test(key)) return void (error.textContent = 'That does not look like an API key.');
      try {
        await call('POST', '/v1/namespaces/list?limit=1', {}, key);
      } catch (err) {
        error.textContent = err instanceof ApiError && err.status === 401 ? 'This key is not valid (or was revoked).' : `Cannot sign in: ${err.message}`;
        return;
      }
      form.removeEventListener('submit', submit);
      session.signIn(key);
      input.value = '';
      $('#signin').hidden = true;
      resolve();
    };
    form.addEventListener('submit', submit);
  });
}
