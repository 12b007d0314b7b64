/**
 * The full-sync progress bar, from `progress$` alone: `staged` records of `total` (the
 * snapshot's size, which the server's first page states). Without a total the bar is
 * striped and shows the count only.
 */
import type { Progress } from '../../src/index.js';
import { formatCount, h } from './format.js';

export class ProgressBar {
  readonly el: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly text: HTMLElement;

  constructor(name: string) {
    this.bar = h('div', { class: 'bar' });
    this.text = h('span', { class: 'progress-text', 'data-testid': 'progress-text' });
    this.el = h(
      'div',
      {
        class: 'progress',
        'data-testid': 'progress',
        role: 'progressbar',
        'aria-label': `Device ${name} full sync progress`,
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': 0,
        'data-active': 'false',
        'data-value': '0',
        hidden: true,
      },
      this.bar,
      this.text,
    );
  }

  /** `null` (or `done`): hidden. The last `data-loaded` / `data-total` stay for inspection. */
  set(p: Progress | null): void {
    const el = this.el;
    if (!p || p.done) {
      el.hidden = true;
      el.dataset['active'] = 'false';
      return;
    }
    el.hidden = false;
    el.dataset['active'] = 'true';
    el.dataset['loaded'] = String(p.staged);
    if (p.total !== undefined) {
      // an empty snapshot (total 0) is complete as soon as it starts
      const f = p.total > 0 ? Math.min(1, p.staged / p.total) : 1;
      el.dataset['total'] = String(p.total);
      el.dataset['value'] = f.toFixed(4);
      el.setAttribute('aria-valuenow', String(Math.round(f * 100)));
      el.removeAttribute('aria-valuetext');
      this.bar.style.width = `${(f * 100).toFixed(1)}%`;
      this.bar.classList.remove('indeterminate');
      this.text.textContent = `Full sync ${formatCount(p.staged)} / ${formatCount(p.total)}`;
    } else {
      delete el.dataset['total'];
      el.dataset['value'] = '';
      el.removeAttribute('aria-valuenow');
      el.setAttribute('aria-valuetext', `${p.staged} received`);
      this.bar.style.width = '100%';
      this.bar.classList.add('indeterminate');
      this.text.textContent = `Full sync ${formatCount(p.staged)} received`;
    }
  }
}
