// The PetStore page: pets over WsRest (or plain HTTP with the switch), pet and kiosk events live over
// WsRest pub/sub, the connected kiosks, and a slow request to cancel. No framework: the DOM is small.
import { WsRestClient } from './lib/wsrest.browser.js';
import { ApiError, PetStoreApi } from './api.js';
import { PetList, describePet } from './pet-list.js';

const PET_TOPICS = ['pets/created', 'pets/updated', 'pets/deleted'];
const KIOSK_TOPICS = ['kiosks/connected', 'kiosks/disconnected'];
const MAX_LOG_ITEMS = 100;

const $ = (id) => document.getElementById(id);
const form = $('pet-form');

const client = new WsRestClient({ url: '/wsrest', metadata: { role: 'web', app: 'petstore-page' } });
const api = new PetStoreApi(client, logCall);
const list = new PetList();

client.on('connecting', () => showState('connecting'));
client.on('connected', ({ connectionId, reconnected }) => {
  showState('connected');
  $('connection-id').textContent = connectionId;
  // Subscriptions resume by themselves (a gap notice says what was lost); kiosk state is re-read.
  if (reconnected) void refreshKiosks();
});
client.on('reconnecting', ({ attempt, delayMs }) => showState('reconnecting', `attempt ${attempt} in ${delayMs} ms`));
client.on('closed', ({ error }) => showState('closed', error?.message));

$('use-http').addEventListener('change', (e) => {
  api.useHttp = e.target.checked;
  void refreshPets();
});
$('reload').addEventListener('click', () => void refreshPets());
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void savePet();
});
$('cancel-edit').addEventListener('click', () => editPet(undefined));
$('pets').addEventListener('click', (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  const pet = list.pets.find((p) => p.id === Number(button.dataset.id));
  if (button.dataset.action === 'edit') editPet(pet);
  else void deletePet(button.dataset.id);
});
wireSlowRequest();

try {
  await client.start();
  await Promise.all([
    ...PET_TOPICS.map((topic) => client.subscribe(topic, onPetEvent)),
    ...KIOSK_TOPICS.map((topic) => client.subscribe(topic, onKioskEvent)),
  ]);
  await Promise.all([refreshPets(), refreshKiosks()]);
  // Subscribed and loaded: what changes from now on shows up (tests wait for this).
  document.body.dataset.ready = 'true';
} catch (error) {
  showState('closed', error.message);
}

function showState(state, detail) {
  const badge = $('state');
  badge.textContent = state;
  badge.dataset.state = state;
  badge.title = detail ?? '';
}

async function refreshPets() {
  try {
    await list.load(() => api.call('GET', '/pets'));
    renderPets();
  } catch (error) {
    showError(error);
  }
}

async function refreshKiosks() {
  try {
    renderKiosks(await api.call('GET', '/kiosks'));
  } catch (error) {
    showError(error);
  }
}

function onPetEvent(message) {
  if (message.type === 'gap') {
    addItem($('events'), `${message.topic}: events #${message.from}..#${message.to} were missed; reloading`, { class: 'gap' });
    void refreshPets();
    return;
  }
  const { topic, sequence, data } = message;
  if (topic === 'pets/deleted') list.remove(data.id);
  else list.put(data);
  addItem($('events'), `${topic} #${sequence}: ${topic === 'pets/deleted' ? `pet #${data.id}` : describePet(data)}`, { topic });
  renderPets();
}

function onKioskEvent(message) {
  if (message.type === 'event') {
    const { topic, sequence, data } = message;
    addItem($('events'), `${topic} #${sequence}: ${data.name} (${data.id.slice(0, 8)})`, { topic });
  }
  void refreshKiosks();
}

function renderPets() {
  const rows = list.pets.map((pet) => {
    const row = element('tr', { 'data-testid': 'pet-row', 'data-id': pet.id });
    for (const text of [pet.id, pet.name, pet.status, pet.tags.join(', ')]) row.append(element('td', {}, String(text)));
    const actions = element('td');
    actions.append(
      element('button', { type: 'button', 'data-action': 'edit', 'data-id': pet.id, 'data-testid': `edit-${pet.id}` }, 'Edit'),
      element('button', { type: 'button', 'data-action': 'delete', 'data-id': pet.id, 'data-testid': `delete-${pet.id}` }, 'Delete'),
    );
    row.append(actions);
    return row;
  });
  $('pets').replaceChildren(...rows);
}

function renderKiosks(kiosks) {
  const items = kiosks.map((k) =>
    element('li', { 'data-testid': 'kiosk', 'data-id': k.id }, `${k.name} (${k.id.slice(0, 8)}), since ${new Date(k.connectedAt).toLocaleTimeString()}`));
  $('kiosks').replaceChildren(...(items.length ? items : [element('li', { class: 'none' }, 'none connected')]));
}

function editPet(pet) {
  form.elements.id.value = pet?.id ?? '';
  form.elements.name.value = pet?.name ?? '';
  form.elements.status.value = pet?.status ?? 'available';
  form.elements.tags.value = pet?.tags.join(', ') ?? '';
  $('form-title').textContent = pet ? `Edit pet #${pet.id}` : 'New pet';
  form.querySelector('[type=submit]').textContent = pet ? 'Save' : 'Add pet';
  $('cancel-edit').hidden = !pet;
  $('form-error').textContent = '';
}

async function savePet() {
  const id = form.elements.id.value;
  const input = {
    name: form.elements.name.value,
    status: form.elements.status.value,
    tags: form.elements.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
  };
  try {
    list.put(await api.call(id ? 'PUT' : 'POST', id ? `/pets/${id}` : '/pets', input));
    renderPets();
    editPet(undefined);
  } catch (error) {
    showError(error);
  }
}

async function deletePet(id) {
  try {
    await api.call('DELETE', `/pets/${id}`);
    list.remove(Number(id));
    renderPets();
  } catch (error) {
    showError(error);
  }
}

function wireSlowRequest() {
  const start = $('slow-start');
  const cancel = $('slow-cancel');
  const status = $('slow-status');
  let controller;
  start.addEventListener('click', async () => {
    controller = new AbortController();
    start.disabled = true;
    cancel.disabled = false;
    status.textContent = `waiting (${api.via})…`;
    try {
      const result = await api.call('GET', '/slow?seconds=60', undefined, controller.signal);
      status.textContent = `done after ${result.seconds} s`;
    } catch (error) {
      status.textContent = error.name === 'AbortError' ? 'cancelled' : `failed: ${error.message}`;
    } finally {
      start.disabled = false;
      cancel.disabled = true;
    }
  });
  cancel.addEventListener('click', () => controller?.abort());
}

function showError(error) {
  $('form-error').textContent = error instanceof ApiError ? error.message : `${error.name}: ${error.message}`;
}

function logCall({ method, path, via, status, error, ms }) {
  const item = element('li', { 'data-testid': 'call', 'data-via': via, 'data-status': status ?? error }, `${method} ${path} → ${status ?? error} (${ms} ms) `);
  item.append(element('span', { class: 'via' }, `via ${via}`));
  addItem($('calls'), item);
}

/** Adds an item at the top of a log list, dropping the oldest beyond MAX_LOG_ITEMS. */
function addItem(list, content, attributes = {}) {
  const item = typeof content === 'string' ? element('li', { 'data-testid': 'event', ...dataAttributes(attributes) }, content) : content;
  list.prepend(item);
  while (list.children.length > MAX_LOG_ITEMS) list.lastElementChild.remove();
}

function dataAttributes({ topic, class: className }) {
  return { ...(topic ? { 'data-topic': topic } : {}), ...(className ? { class: className } : {}) };
}

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}
