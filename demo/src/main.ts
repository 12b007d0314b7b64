/**
 * The convsync demo: two devices of one user side by side, each a real SDK instance
 * with its own IndexedDB database, and the server's admin API to make things happen.
 * The page may be open in several tabs: each device then shares its database, and one
 * sync, with the same device in the other tabs.
 */
import { DemoApi } from './api.js';
import { Device } from './device.js';
import { errorText } from './format.js';
import { Selection } from './selection.js';
import { $, say, wireServerControls } from './server-controls.js';

const params = new URLSearchParams(location.search);
const userID = params.get('user') || 'demo';
const base = location.origin;
const wsURL = `${base.replace(/^http/, 'ws')}/ws`;

async function main(): Promise<void> {
  $('#user-id').textContent = userID;
  let api: DemoApi;
  try {
    api = await DemoApi.connect(base, userID);
  } catch (e) {
    say(`Could not get a token from ${base}/admin/token — is the server running with --admin? (${errorText(e)})`, 'error');
    document.body.dataset['ready'] = 'error';
    return;
  }

  const selection = new Selection();
  const devices = [new Device('A', api, wsURL, selection), new Device('B', api, wsURL, selection)];
  const grid = $('#devices');
  for (const d of devices) grid.append(d.root);
  selection.onChange((id) => {
    $('#selected-id').textContent = id ?? 'none';
  });

  wireServerControls(api, selection);
  await Promise.all(devices.map((d) => d.boot('load')));
  say('ready');
  document.body.dataset['ready'] = 'true';
  Object.assign(window, { convsyncDemo: { api, devices, selection } });
}

void main();
