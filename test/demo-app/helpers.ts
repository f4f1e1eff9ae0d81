/** Shared test plumbing: a real demo app on 127.0.0.1:0 and a tiny fetch wrapper. */
import { createDemoApp, type DemoApp, type DemoAppOptions } from '../../src/demo-app/server.ts';

export const API_KEY = 'test-key-123';

export interface Answer {
  status: number;
  headers: Headers;
  // Tests poke at arbitrary response shapes; `any` keeps the assertions readable.
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  raw?: string;
  /** `null` sends no key at all. */
  key?: string | null;
}

export interface Running {
  app: DemoApp;
  url: string;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
}

export async function startApp(options: Partial<DemoAppOptions> = {}): Promise<Running> {
  const app = createDemoApp({ apiKey: API_KEY, ...options });
  const { url } = await app.listen();
  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    const key = opts.key === undefined ? API_KEY : opts.key;
    if (key !== null) headers['X-Api-Key'] = key;
    let payload: string | undefined = opts.raw;
    if (payload === undefined && opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  };
  return { app, url, call };
}
