// How the back-office's action forms send what was typed: a refusal (notice of type error) stays on the form
// with its message, a success shows its notice and goes where the server says, an outage says so in French.
export interface ActionReply {
  notice?: { type: string; message: string };
  redirectUrl?: string;
  [key: string]: unknown;
}

export interface ActionForm {
  setError(message: string | null): void;
  setSending(sending: boolean): void;
  addNotice(notice: never): void;
  /** Where to go after a success when the server names no page. */
  fallbackUrl: string;
  /** Called with the server's reply when it refused the action (e.g. to show the faulty lines it names). */
  onRefused?(reply: ActionReply): void;
}

export async function sendAction(send: () => Promise<{ data: unknown }>, form: ActionForm): Promise<void> {
  form.setSending(true);
  try {
    const reply = (await send()).data as ActionReply;
    if (reply.notice?.type === 'error') {
      form.setError(reply.notice.message);
      form.onRefused?.(reply);
      return;
    }
    if (reply.notice) form.addNotice(reply.notice as never);
    window.location.assign(reply.redirectUrl ?? form.fallbackUrl);
  } catch {
    form.setError('Le service ne répond pas : réessayez dans quelques instants.');
  } finally {
    form.setSending(false);
  }
}
