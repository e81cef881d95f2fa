// Drives the local FranceConnect stand-in over HTTP as a browser would (its own cookie jar): the login page
// where an identity is picked (or the login cancelled), and the end-session page that submits itself.
export interface StandInBrowser {
  /** From the authorization URL to the callback URL FranceConnect sends the browser back to. */
  login(authorizationUrl: string, identity: string | 'abort'): Promise<URL>;
  /** From the end-session URL to the post-logout URL FranceConnect sends the browser back to. */
  logout(endSessionUrl: string): Promise<URL>;
}

export function standInBrowser(): StandInBrowser {
  let cookies: string[] = [];
  const go = async (url: string, init: { method?: string; form?: Record<string, string> } = {}) => {
    const response = await fetch(url, {
      method: init.method ?? 'GET', redirect: 'manual',
      headers: { cookie: cookies.join('; '), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookies = cookies.filter((cookie) => !cookie.startsWith(`${name}=`)).concat(pair);
    }
    return response;
  };
  const location = (response: Response, base: string) => {
    const target = response.headers.get('location');
    if (response.status !== 303 && response.status !== 302) throw new Error(`expected a redirect from ${base}, got ${response.status}`);
    return new URL(target!, base);
  };
  return {
    async login(authorizationUrl, identity) {
      const toPage = location(await go(authorizationUrl), authorizationUrl);
      const page = await (await go(toPage.href)).text();
      const action = identity === 'abort' ? /action="([^"]+\/abort)"/.exec(page)?.[1] : /action="([^"]+\/login)"/.exec(page)?.[1];
      if (!action) throw new Error(`no login form on the stand-in's page:\n${page.slice(0, 500)}`);
      const submitted = await go(new URL(action, toPage).href, { method: 'POST', form: identity === 'abort' ? {} : { identity } });
      const resume = location(submitted, toPage.href);
      return location(await go(resume.href), resume.href);
    },
    async logout(endSessionUrl) {
      const page = await (await go(endSessionUrl)).text();
      // The confirmation form (a FranceConnect session in this browser) or the callback form (none): both post themselves.
      const form = /<form[^>]* method="post" action="([^"]+)">\s*<input type="hidden" name="xsrf" value="([^"]+)"\/>/.exec(page);
      if (!form) throw new Error(`no logout form on the stand-in's page:\n${page.slice(0, 500)}`);
      return location(await go(new URL(form[1]!, endSessionUrl).href, { method: 'POST', form: { xsrf: form[2]!, logout: 'yes' } }), endSessionUrl);
    },
  };
}
