/**
 * The server controls at the top of the page: the admin API (SPEC §3.4) for the page's
 * user. What they change reaches the devices the ordinary way: notifications and sync.
 */
import { senderFor, type DemoApi } from './api.js';
import { errorText, formatCount } from './format.js';
import type { Selection } from './selection.js';

export const $ = <T extends HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el;
};

export function say(text: string, kind: 'ok' | 'error' | 'busy' = 'ok'): void {
  const out = $('#server-output');
  out.textContent = text;
  out.dataset['kind'] = kind;
}

export function wireServerControls(api: DemoApi, selection: Selection): void {
  /** IDs of the user's conversations as the server has them, for "random" targets (until the next seed). */
  let idCache: string[] | null = null;
  const serverIDs = async (): Promise<string[]> => (idCache ??= (await api.fullIDs()).conversationIDs ?? []);

  const num = (sel: string, min: number, max: number): number | null => {
    const input = $<HTMLInputElement>(sel);
    const n = Math.floor(Number(input.value));
    if (!Number.isFinite(n) || n < min || n > max) {
      say(`${input.labels?.[0]?.textContent ?? sel}: enter a number from ${min} to ${max}`, 'error');
      input.focus();
      return null;
    }
    return n;
  };
  /** Runs one control at a time per button, reporting the outcome. */
  const run = (btnSel: string, fn: () => Promise<string>) => {
    const btn = $<HTMLButtonElement>(btnSel);
    btn.addEventListener('click', () => {
      if (btn.getAttribute('aria-busy') === 'true') return;
      btn.setAttribute('aria-busy', 'true');
      const t0 = performance.now();
      say('working…', 'busy');
      fn()
        .then((msg) => say(`${msg} (${(performance.now() - t0).toFixed(0)} ms)`))
        .catch((e: unknown) => say(errorText(e), 'error'))
        .finally(() => btn.removeAttribute('aria-busy'));
    });
  };

  const pickTarget = async (): Promise<string> => {
    const mode = $<HTMLSelectElement>('#send-target').value;
    if (mode === 'selected') {
      if (selection.current === null) throw new Error('Select a conversation in a device list first (or choose “random”)');
      return selection.current;
    }
    const ids = await serverIDs();
    if (ids.length === 0) throw new Error('The user has no conversations: seed some first');
    return ids[Math.floor(Math.random() * ids.length)]!;
  };
  let msgNo = 0;
  const send = async (text: string): Promise<string> => {
    const id = await pickTarget();
    msgNo += 1;
    await api.sendMessage(id, senderFor(id, api.userID), text || `message #${msgNo}`);
    return id;
  };

  run('#seed', async () => {
    const n = num('#seed-count', 1, 100_000);
    if (n === null) throw new Error('invalid count');
    await api.seed(n);
    idCache = null;
    return `seeded ${formatCount(n)} conversations`;
  });
  run('#send', async () => {
    const id = await send($<HTMLInputElement>('#send-text').value);
    return `message sent to ${id}`;
  });
  run('#burst', async () => {
    const n = num('#burst-count', 1, 10_000);
    if (n === null) throw new Error('invalid count');
    const text = $<HTMLInputElement>('#send-text').value;
    let sent = 0;
    const worker = async () => {
      while (sent < n) {
        sent++;
        await send(text ? `${text} (${sent}/${n})` : '');
        if (sent % 50 === 0) say(`burst: ${formatCount(sent)} / ${formatCount(n)}`, 'busy');
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return `burst of ${formatCount(n)} messages sent`;
  });
  run('#reset-log', async () => {
    await api.resetLog();
    return 'log reset: a new versionID, every device re-syncs in full';
  });
  run('#compact', async () => {
    const raw = $<HTMLInputElement>('#compact-version').value.trim();
    let keep: number;
    if (raw === '') keep = (await api.fullIDs()).version;
    else {
      const n = num('#compact-version', 0, Number.MAX_SAFE_INTEGER);
      if (n === null) throw new Error('invalid version');
      keep = n;
    }
    await api.compact(keep);
    return `log compacted up to version ${keep}: devices behind it get a full sync`;
  });
}
