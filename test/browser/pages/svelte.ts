/**
 * A bare page for the browser tests of convsync/svelte: the stores in a Svelte 5 app
 * (./svelte-app.svelte, runes mode) around one client whose subscriptions are counted
 * (./instrument.ts); each row counts the runs of an effect on its record. Driven from
 * the test (../binding-page.ts) through `window.bindingPage`.
 */
import { flushSync, mount, unmount } from 'svelte';
import type { ConversationSync } from '../../../src/index.js';
import App from './svelte-app.svelte';
import { instrument, pageClient, probes } from './instrument.js';

let real: ConversationSync | null = null;
let sync: ConversationSync | null = null;
type Exports = { setLimitProp(n: number): void; more(): void };
let app: Exports | null = null;
let props = { watch: '', limit0: 20 };

const bindingPage = {
  async start(userID: string, watch: string, limit0 = 20): Promise<void> {
    real = pageClient(userID, 'svelte');
    sync = instrument(real);
    props = { watch, limit0 };
    bindingPage.mount();
    await real.start();
  },
  mount(): void {
    app = mount(App, { target: document.getElementById('root')!, props: { sync: sync!, ...props } }) as unknown as Exports;
    flushSync();
  },
  unmount(): void {
    if (app) void unmount(app);
    app = null;
  },
  stop: () => real!.stop(),
  more: () => app!.more(),
  setLimitProp: (n: number) => app!.setLimitProp(n),
  ...probes,
};

(window as unknown as { bindingPage: typeof bindingPage }).bindingPage = bindingPage;
