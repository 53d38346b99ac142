/* global document, location, history */
// The account page. Plain ES module, no build step, no inline code (the page's CSP allows only
// this file and account.css). Text is only ever set with textContent.

const API = '/api/v1';
const NAMES = { google: 'Google', github: 'GitHub', oidc: 'OpenID Connect' };
const ERRORS = {
  identity_in_use: 'That provider account is already connected to another account.',
  provider_already_linked: 'Another account of that provider is already connected.',
  account_suspended: 'This account is suspended.',
  account_unavailable: 'This account no longer exists.',
  provider_error: 'The sign-in provider could not sign you in. Please try again.',
};

const state = { token: null, linkToken: null, linkProvider: null, configured: [] };

const $ = (id) => document.getElementById(id);
const providerName = (name) => NAMES[name] ?? name;

const show = (id, visible) => {
  $(id).hidden = !visible;
};

const say = (text) => {
  $('notice').textContent = text;
  show('notice', text !== '');
  if (text !== '') show('alert', false);
};

const warn = (text) => {
  $('alert').textContent = text;
  show('alert', text !== '');
  if (text !== '') show('notice', false);
};

const problemText = async (response) => {
  try {
    const problem = await response.json();
    const first = Array.isArray(problem.errors) ? problem.errors[0] : undefined;
    return first ? `${problem.title}: ${first.message}` : (problem.detail ?? problem.title);
  } catch {
    return `Request failed (${response.status}).`;
  }
};

const refresh = async () => {
  const response = await fetch(`${API}/refresh`, { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) {
    state.token = null;
    return false;
  }
  state.token = (await response.json()).accessToken;
  return true;
};

/** Calls the API with the access token; one refresh and retry when it expired. */
const api = async (method, path, body, retry = true) => {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && retry && (await refresh())) return api(method, path, body, false);
  return response;
};

const button = (text, onClick, attributes = {}) => {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.addEventListener('click', () => {
    element.disabled = true;
    Promise.resolve(onClick())
      .catch((error) => warn(String(error)))
      .finally(() => {
        element.disabled = false;
      });
  });
  return element;
};

const authorizeUrl = (provider) =>
  `${API}/oauth/${encodeURIComponent(provider)}/authorize?redirectTo=${encodeURIComponent('/account')}`;

const showSignIn = () => {
  show('account', false);
  show('reset', false);
  show('sign-in', true);
  const hint = $('link-hint');
  if (state.linkToken) {
    hint.textContent =
      `Your ${providerName(state.linkProvider)} account uses the email of an existing account. ` +
      'Sign in with its password to connect them.';
  }
  show('link-hint', Boolean(state.linkToken));
  const list = $('provider-sign-in');
  list.replaceChildren(
    ...state.configured.map((name) =>
      button(
        `Sign in with ${providerName(name)}`,
        () => {
          location.assign(authorizeUrl(name));
        },
        { 'data-provider': name },
      ),
    ),
  );
};

const renderProfile = (user) => {
  $('profile-email').textContent = user.email;
  $('profile-status').textContent = user.pendingEmail
    ? `${user.status} (change to ${user.pendingEmail} pending)`
    : user.status;
  $('profile-form').elements.displayName.value = user.displayName ?? '';
};

const renderProviders = (items) => {
  const linked = new Set(items.map((item) => item.provider));
  $('provider-list').replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      li.dataset.provider = item.provider;
      const label = document.createElement('span');
      label.textContent = item.email
        ? `${providerName(item.provider)} (${item.email})`
        : providerName(item.provider);
      li.append(
        label,
        button(`Disconnect ${providerName(item.provider)}`, async () => {
          const response = await api(
            'DELETE',
            `/users/me/providers/${encodeURIComponent(item.provider)}`,
          );
          if (response.status === 409) {
            warn('This is your last way to sign in: set a password first.');
          } else if (!response.ok) {
            warn(await problemText(response));
          } else {
            say(`${providerName(item.provider)} was disconnected.`);
          }
          await loadAccount();
        }),
      );
      return li;
    }),
  );
  show('no-providers', items.length === 0);
  $('provider-connect').replaceChildren(
    ...state.configured
      .filter((name) => !linked.has(name))
      .map((name) =>
        button(
          `Connect ${providerName(name)}`,
          async () => {
            const response = await api('POST', `/oauth/${encodeURIComponent(name)}/connect`, {
              redirectTo: '/account',
            });
            if (!response.ok) return warn(await problemText(response));
            location.assign((await response.json()).authorizeUrl);
          },
          { 'data-provider': name },
        ),
      ),
  );
};

const renderSessions = (items) => {
  $('session-list').replaceChildren(
    ...items.map((session) => {
      const li = document.createElement('li');
      li.dataset.session = session.id;
      const label = document.createElement('span');
      const when = new Date(session.lastUsedAt).toLocaleString();
      label.textContent = `${session.userAgent ?? 'Unknown device'} · ${session.ip ?? '?'} · ${when}`;
      li.append(label);
      if (session.current) {
        const current = document.createElement('span');
        current.className = 'muted';
        current.textContent = 'This session';
        li.append(current);
      } else {
        li.append(
          button('Revoke', async () => {
            const response = await api('DELETE', `/users/me/sessions/${session.id}`);
            if (!response.ok && response.status !== 404) warn(await problemText(response));
            else say('The session was revoked.');
            await loadAccount();
          }),
        );
      }
      return li;
    }),
  );
};

async function loadAccount() {
  const [me, providers, sessions] = await Promise.all([
    api('GET', '/users/me'),
    api('GET', '/users/me/providers'),
    api('GET', '/users/me/sessions'),
  ]);
  if (me.status === 401) {
    state.token = null;
    return showSignIn();
  }
  if (!me.ok || !providers.ok || !sessions.ok)
    return warn(await problemText(me.ok ? providers : me));
  renderProfile((await me.json()).user);
  renderProviders((await providers.json()).items);
  renderSessions((await sessions.json()).items);
  show('sign-in', false);
  show('reset', false);
  show('account', true);
}

const completeLink = async () => {
  if (!state.linkToken) return;
  const token = state.linkToken;
  state.linkToken = null;
  const response = await api('POST', '/oauth/link', { linkToken: token });
  if (response.ok) say(`${providerName(state.linkProvider)} is now connected.`);
  else warn(await problemText(response));
};

const onSubmit = (id, handler) => {
  const form = $(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    Promise.resolve(handler(form))
      .catch((error) => warn(String(error)))
      .finally(() => {
        submit.disabled = false;
      });
  });
};

onSubmit('login-form', async (form) => {
  const response = await fetch(`${API}/login`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: form.elements.email.value,
      password: form.elements.password.value,
    }),
  });
  if (!response.ok) return warn(await problemText(response));
  state.token = (await response.json()).accessToken;
  form.reset();
  say('');
  await completeLink();
  await loadAccount();
});

onSubmit('profile-form', async (form) => {
  const name = form.elements.displayName.value.trim();
  const response = await api('PUT', '/users/me', { displayName: name === '' ? null : name });
  if (!response.ok) return warn(await problemText(response));
  say('Your profile was saved.');
  renderProfile((await response.json()).user);
});

onSubmit('password-form', async (form) => {
  const body = { newPassword: form.elements.newPassword.value };
  if (form.elements.currentPassword.value !== '') {
    body.currentPassword = form.elements.currentPassword.value;
  }
  const response = await api('POST', '/users/me/password', body);
  if (!response.ok) return warn(await problemText(response));
  form.reset();
  say('Your password was set. Your other sessions were signed out.');
  await loadAccount();
});

onSubmit('reset-form', async (form) => {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const response = await fetch(`${API}/password/reset`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password: form.elements.password.value }),
  });
  if (!response.ok) {
    return warn(
      response.status === 400 && (await response.clone().json()).code === 'invalid_token'
        ? 'This link is invalid or has expired. Ask for a new one.'
        : await problemText(response),
    );
  }
  form.reset();
  history.replaceState(null, '', '/account');
  say('Your password was changed. Sign in with it.');
  showSignIn();
});

$('sign-out').addEventListener('click', () => {
  api('POST', '/logout')
    .catch(() => undefined)
    .finally(() => {
      state.token = null;
      say('You are signed out.');
      showSignIn();
    });
});

const start = async () => {
  if (location.pathname === '/account/reset-password') {
    show('loading', false);
    show('reset', true);
    return;
  }
  const query = new URLSearchParams(location.search);
  state.linkToken = query.get('link');
  state.linkProvider = query.get('provider');
  const error = query.get('error');
  // Tokens and codes leave the address bar (and the history) at once.
  if (location.search !== '') history.replaceState(null, '', '/account');
  if (error) warn(ERRORS[error] ?? 'Something went wrong. Please try again.');

  const configured = await fetch(`${API}/oauth/providers`).catch(() => null);
  state.configured = configured?.ok ? (await configured.json()).items.map((p) => p.name) : [];
  show('loading', false);
  if (await refresh()) {
    await completeLink();
    await loadAccount();
  } else {
    showSignIn();
  }
};

start().catch((error) => warn(String(error)));
