// One person's browser for the benchmarks (or FranceConnect's server): its cookies, an address of its own (the
// service trusts the X-Forwarded-For of its front, and limits POSTs per address), no redirect followed.
export interface Answer { status: number; location: string; text: string }

export class Browser {
  readonly cookies = new Map<string, string>();
  readonly address: string;

  constructor(private readonly base: string, options: { cookie?: string; address?: string | null } = {}) {
    // null: no X-Forwarded-For at all (a server that trusts no proxy: the reference provider, the dev topology's direct port).
    this.address = options.address === undefined ? randomAddress() : options.address ?? '';
    if (options.cookie) this.keep(options.cookie);
  }

  /** GET, or POST when a form (repeated fields as arrays) or a multipart body is given. */
  async go(target: string | URL, init: { form?: Record<string, string | string[]>; body?: FormData; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(this.address ? { 'x-forwarded-for': this.address } : {}), ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | FormData | undefined = init.body;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(Object.entries(init.form).flatMap(([key, value]) => [value].flat().map((one): [string, string] => [key, one]))).toString();
    }
    const response = await fetch(new URL(target, this.base), { method: body === undefined ? 'GET' : 'POST', headers, body, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0]!;
      // A cookie cleared by the server (expired, or emptied) is forgotten.
      this.keep(/expires=Thu, 01 Jan 1970/i.test(cookie) ? `${pair.slice(0, pair.indexOf('='))}=` : pair);
    }
    return { status: response.status, location: response.headers.get('location') ?? '', text: await response.text() };
  }

  private keep(pair: string): void {
    const at = pair.indexOf('=');
    const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    if (value === '') this.cookies.delete(name); else this.cookies.set(name, value);
  }
}

const randomAddress = () => `10.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;
