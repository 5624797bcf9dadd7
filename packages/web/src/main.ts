/**
 * The Antiphase web app: hash routes (#/login, #/dashboard, #/session/<id>, #/demo) so that the service can serve
 * one index.html without a fallback route. Every failure ends in a visible message, never a blank page.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, ApiFailure, auth } from './api.js';
import { renderDashboard } from './dashboard.js';
import { renderSession } from './session.js';

const app = document.getElementById('app')!;
const banner = document.getElementById('banner')!;
const logout = document.getElementById('logout') as HTMLButtonElement;
let cleanup: (() => void) | null = null;

export function showBanner(message: string | null): void {
  banner.hidden = message === null;
  banner.textContent = message ?? '';
}

/** A rejected token: forget it and go to the login form with the reason. */
export function backToLogin(message: string): void {
  auth.token = null;
  loginMessage = message;
  if (location.hash === '#/login') void route();
  else location.hash = '#/login'; // hashchange renders the form
}

let loginMessage = '';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderLogin(): void {
  app.innerHTML = `
    <h1>Log in</h1>
    <p class="message" id="login-message" role="status">${escapeHtml(loginMessage)}</p>
    <form id="login-form" class="inline">
      <label>Email <input id="email" name="email" type="email" autocomplete="username" required></label>
      <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required minlength="8"></label>
      <button type="submit" id="login">Log in</button>
      <button type="button" id="register">Register</button>
    </form>
    <p>The first account registered on a service is its admin and sees every session.</p>`;
  const form = document.getElementById('login-form') as HTMLFormElement;
  const message = document.getElementById('login-message')!;
  const submit = async (register: boolean): Promise<void> => {
    if (!form.reportValidity()) return;
    const credentials = { email: (document.getElementById('email') as HTMLInputElement).value, password: (document.getElementById('password') as HTMLInputElement).value };
    try {
      if (register) await api('POST', '/auth/register', credentials);
      auth.token = (await api<{ token: string }>('POST', '/auth/login', credentials)).token;
      loginMessage = '';
      showBanner(null);
      location.hash = '#/dashboard';
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(false);
  });
  document.getElementById('register')!.addEventListener('click', () => void submit(true));
  (document.getElementById('email') as HTMLInputElement).focus();
}

async function route(): Promise<void> {
  cleanup?.();
  cleanup = null;
  const hash = location.hash || '#/dashboard';
  logout.hidden = auth.token === null;
  try {
    if (hash.startsWith('#/demo')) {
      const { renderDemo } = await import('./demo.js');
      cleanup = await renderDemo(app);
      return;
    }
    if (hash === '#/login' || auth.token === null) {
      if (hash === '#/login') renderLogin();
      else location.hash = '#/login'; // hashchange renders the form
      return;
    }
    const session = /^#\/session\/([\w-]+)$/.exec(hash);
    cleanup = session ? await renderSession(app, session[1]) : await renderDashboard(app);
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return backToLogin('Your login has expired or is invalid. Please log in again.');
    app.innerHTML = `<h1>Something went wrong</h1><p class="message" role="alert">${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`;
  }
}

logout.addEventListener('click', () => backToLogin('You have logged out.'));
window.addEventListener('hashchange', () => void route());
void route();
