// Logs an ANCT person into the real back-office over HTTP (password + TOTP code), keeping the session cookie.
// A code is accepted once, so each person logs in once per web server and the session is reused.
import request from 'supertest';
import { generateSync } from 'otplib';
import { DEMO_PASSWORD } from '../../services/demo-data.js';

const sessions = new Map<string, Promise<ReturnType<typeof request.agent>>>();

/** A fresh session (not shared), with the XSRF token set as a default header of the agent. */
export async function logIn(baseUrl: string, email: string, totpSecret: string) {
  const agent = request.agent(baseUrl);
  const page = await agent.get('/admin/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const res = await agent.post('/admin/login').type('form')
    .send({ _csrf: csrf, email, password: DEMO_PASSWORD, otp: generateSync({ secret: totpSecret, period: 30, digits: 6 }) });
  if (res.status !== 303) throw new Error(`login of ${email} failed with ${res.status}`);
  // As AdminJS's frontend does: echo the session's XSRF-TOKEN cookie in a header on every call.
  const first = await agent.get('/admin/api/dashboard');
  const token = xsrfTokenOf(first.headers['set-cookie']);
  if (!token) throw new Error(`no XSRF-TOKEN cookie after the login of ${email}`);
  agent.set('X-XSRF-TOKEN', token);
  return agent;
}

export function adminAgent(baseUrl: string, email: string, totpSecret: string) {
  const key = `${baseUrl} ${email}`;
  if (!sessions.has(key)) sessions.set(key, logIn(baseUrl, email, totpSecret));
  return sessions.get(key)!;
}

/** The XSRF-TOKEN value among Set-Cookie headers. */
export function xsrfTokenOf(setCookie: string | string[] | undefined): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const found = cookies.map((cookie) => /^XSRF-TOKEN=([^;]*)/.exec(cookie)).find(Boolean);
  return found ? decodeURIComponent(found[1]) : undefined;
}
