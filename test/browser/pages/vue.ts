/**
 * A bare page for the browser tests of convsync/vue: the composables around one client
 * whose subscriptions are counted (./instrument.ts), and row components that count
 * their renders (Vue renders a child again only when its props changed). Driven from
 * the test (../binding-page.ts) through `window.bindingPage`.
 */
import { createApp, defineComponent, h, ref, type App, type PropType } from 'vue';
import type { ConversationSync, LocalConversation } from '../../../src/index.js';
import { useConversation, useConversationPage, usePendingWrites, useSyncStatus, useTotalUnread } from '../../../src/vue/index.js';
import { instrument, pageClient, probes, rendered } from './instrument.js';

const Row = defineComponent({
  props: { c: { type: Object as PropType<LocalConversation>, required: true } },
  setup(props) {
    return () => {
      const c = props.c;
      rendered(c.conversationID);
      return h('li', { 'data-testid': 'row', 'data-id': c.conversationID, 'data-unread': c.unreadCount, 'data-pinned': String(c.isPinned) });
    };
  },
});

/** One record through useConversation: it renders for its own record only. */
const Watched = defineComponent({
  props: { sync: { type: Object as PropType<ConversationSync>, required: true }, id: { type: String, required: true } },
  setup(props) {
    const c = useConversation(props.sync, () => props.id);
    return () => {
      rendered('watched');
      return h('p', { 'data-testid': 'watched', 'data-id': props.id, 'data-unread': c.value ? c.value.unreadCount : 'none' });
    };
  },
});

const limit = ref(20);
let more = (): void => {};

const Page = defineComponent({
  props: { sync: { type: Object as PropType<ConversationSync>, required: true }, watch: { type: String, required: true } },
  setup(props) {
    const page = useConversationPage(props.sync, { limit });
    const unread = useTotalUnread(props.sync);
    const status = useSyncStatus(props.sync);
    const writes = usePendingWrites(props.sync);
    more = () => page.value.setLimit(page.value.items.length + 20);
    return () => {
      const p = page.value;
      return h(
        'section',
        { 'data-testid': 'page', 'data-rows': p.items.length, 'data-total': p.total, 'data-page-unread': p.unreadTotal, 'data-unread': unread.value, 'data-loading': String(p.loading), 'data-status': status.value.state, 'data-writes': writes.value.length },
        [h('ul', p.items.map((c) => h(Row, { key: c.conversationID, c }))), h(Watched, { sync: props.sync, id: props.watch })],
      );
    };
  },
});

let real: ConversationSync | null = null;
let sync: ConversationSync | null = null;
let app: App | null = null;
let watch = '';

const bindingPage = {
  async start(userID: string, watched: string, limit0 = 20): Promise<void> {
    real = pageClient(userID, 'vue');
    sync = instrument(real);
    watch = watched;
    limit.value = limit0;
    bindingPage.mount();
    await real.start();
  },
  mount(): void {
    app = createApp(Page, { sync, watch });
    app.config.warnHandler = (msg) => console.error(`[Vue warn] ${msg}`);
    app.mount('#root');
  },
  unmount(): void {
    app?.unmount();
    app = null;
  },
  stop: () => real!.stop(),
  more: () => more(),
  setLimitProp: (n: number) => void (limit.value = n),
  ...probes,
};

(window as unknown as { bindingPage: typeof bindingPage }).bindingPage = bindingPage;
