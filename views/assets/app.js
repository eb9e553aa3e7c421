// Progressive enhancement only: every page works without this file.
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-confirm]') : null;
  if (target && !window.confirm(target.getAttribute('data-confirm'))) event.preventDefault();
});

// Search as you type: the search form fetches the results fragment (the list and the facets counted for
// it) and swaps both in; the address bar follows, so the page can be bookmarked and works the same without
// this script.
const liveForm = document.querySelector('form[data-live-search]');
if (liveForm) {
  const swap = (fresh, id) => {
    const next = fresh.getElementById(id);
    const current = document.getElementById(id);
    if (next && current) current.replaceWith(next);
  };
  let timer;
  let controller;
  const update = () => {
    const params = new URLSearchParams(new FormData(liveForm));
    for (const [k, v] of [...params]) if (!v) params.delete(k);
    const url = `/search?${params}`;
    controller?.abort();
    controller = new AbortController();
    fetch(`${url}${params.size ? '&' : ''}fragment=1`, { signal: controller.signal, headers: { Accept: 'text/html' } })
      .then((res) => (res.ok ? res.text() : Promise.reject(res.status)))
      .then((html) => {
        const fresh = document.createElement('template');
        fresh.innerHTML = html;
        swap(fresh.content, 'search-results');
        swap(fresh.content, 'search-facets');
        history.replaceState(null, '', url);
      })
      .catch(() => {}); // offline or aborted: the form still submits normally
  };
  liveForm.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  liveForm.addEventListener('change', update);
}

// Campaign goals: the chosen kind's goals first, the others behind 更多目标 (the server renders the same split for
// the kind it was given, so this only follows a change of the select).
const goals = document.querySelector('[data-goals]');
const kindSelect = goals?.closest('form')?.querySelector('select[name="kind"]');
if (goals && kindSelect) {
  const main = goals.querySelector('[data-goals-main]');
  const rest = goals.querySelector('[data-goals-rest]');
  const more = goals.querySelector('[data-goals-more]');
  const none = goals.querySelector('[data-goals-none]');
  const order = [...goals.querySelectorAll('[data-goal-kinds]')];
  kindSelect.addEventListener('change', () => {
    const kind = kindSelect.value;
    for (const field of order) {
      const belongs = kind && field.dataset.goalKinds.split(',').includes(kind);
      (belongs ? main : rest).append(field);
    }
    if (none) none.hidden = !!kind;
    if (more && kind) more.open = false;
  });
}
