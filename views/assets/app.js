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

// ---- Pickers that show titles and store ids (campaign tagging, roadshow slot content) --------------------------
// Without this script both are plain forms: the campaign page's search is a GET form that lists checkboxes, and a
// slot's typed title is looked up when the roadshow form is saved. With it, choices follow the typing through the
// same kind of HTML fragment the search page swaps in.
{
  const fragment = (url, signal) =>
    fetch(url, { signal, headers: { Accept: 'text/html' } })
      .then((res) => (res.ok ? res.text() : Promise.reject(res.status)))
      .then((html) => {
        const fresh = document.createElement('template');
        fresh.innerHTML = html;
        return fresh.content;
      });

  // Campaign page: the search form refreshes the checkbox list of the tagging form; ticked choices stay ticked.
  for (const form of document.querySelectorAll('form[data-choice-search]')) {
    const targetId = form.dataset.choiceTarget;
    let timer;
    let controller;
    const update = () => {
      const params = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) params.append(k, v);
      const page = `${window.location.pathname}${params.size ? `?${params}` : ''}${window.location.hash}`;
      for (const box of document.getElementById(targetId)?.querySelectorAll('input[name="items"]:checked') ?? []) params.append('picked', box.value);
      controller?.abort();
      controller = new AbortController();
      fragment(`${form.dataset.choiceSearch}?${params}`, controller.signal)
        .then((fresh) => {
          const next = fresh.getElementById(targetId);
          const current = document.getElementById(targetId);
          if (!next || !current) return;
          // Ticked while the answer was on its way: ticked in the new list too, or carried over to its top.
          for (const box of [...current.querySelectorAll('input[name="items"]:checked')].reverse()) {
            const same = [...next.querySelectorAll('input[name="items"]')].find((b) => b.value === box.value);
            if (same) {
              if (!same.disabled) same.checked = true;
              continue;
            }
            let list = next.querySelector('.choice-list');
            if (!list) {
              list = document.createElement('ul');
              list.className = 'choice-list';
              next.querySelector('legend')?.after(list);
            }
            list.prepend(box.closest('li'));
          }
          current.replaceWith(next);
          history.replaceState(null, '', page);
        })
        .catch(() => {}); // offline or aborted: the form still submits normally
    };
    form.addEventListener('input', (event) => {
      if (event.target instanceof window.HTMLSelectElement) return; // its change event follows
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
    // A select applies at once; the search box's change (when it loses focus) would only repeat its last search.
    form.addEventListener('change', (event) => {
      if (event.target instanceof window.HTMLSelectElement) update();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearTimeout(timer);
      update();
    });
  }

  // Roadshow form: each agenda row's content field becomes a combobox; choosing fills the title, the hidden id
  // and the row's type, and says so when a result has no lead person.
  for (const field of document.querySelectorAll('[data-slot-picker]')) {
    const input = field.querySelector('[data-pick-text]');
    const ref = field.querySelector('[data-pick-ref]');
    const label = field.querySelector('[data-pick-label]');
    const list = field.querySelector('[role="listbox"]');
    const row = field.closest('fieldset');
    const kind = row?.querySelector('select[name$=".kind"]');
    if (!input || !list) continue;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    let timer;
    let controller;
    let active = -1;
    const options = () => [...list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')];
    const show = (open) => {
      list.hidden = !open;
      input.setAttribute('aria-expanded', String(open));
      if (!open) {
        active = -1;
        input.removeAttribute('aria-activedescendant');
      }
    };
    const highlight = (i) => {
      const all = options();
      active = all.length ? (i + all.length) % all.length : -1;
      all.forEach((o, n) => o.setAttribute('aria-selected', String(n === active)));
      if (active >= 0) input.setAttribute('aria-activedescendant', all[active].id);
    };
    const note = (text, warn) => {
      let hint = field.querySelector('[data-pick-hint]');
      if (!hint) {
        // the row had an error: the choice replaces it with a hint
        const error = field.querySelector('.field-error');
        hint = document.createElement('small');
        hint.id = `h-${input.name.replace(/find$/, 'ref')}`;
        hint.dataset.pickHint = '';
        if (error) error.replaceWith(hint);
        else field.append(hint);
        input.removeAttribute('aria-invalid');
        input.setAttribute('aria-describedby', hint.id);
      }
      hint.textContent = text;
      hint.classList.toggle('pick-warn', warn);
    };
    const choose = (option) => {
      const [k, id] = option.dataset.value.split(':');
      input.value = option.dataset.title;
      if (label) label.value = option.dataset.title;
      if (ref) ref.value = id;
      for (const radio of field.querySelectorAll('input[type="radio"]')) radio.checked = false;
      if (kind) kind.value = k;
      const noLead = option.hasAttribute('data-no-lead');
      note(noLead ? '该成果未填写负责人，请填写主讲人。' : `已选择：${option.dataset.title}`, noLead);
      show(false);
    };
    const update = () => {
      const params = new URLSearchParams({ q: input.value.trim(), kind: kind?.value ?? '', row: field.dataset.row ?? '0' });
      controller?.abort();
      controller = new AbortController();
      if (!input.value.trim()) return show(false);
      fragment(`${field.dataset.slotPicker}?${params}`, controller.signal)
        .then((fresh) => {
          const next = fresh.querySelector('[role="listbox"]');
          if (!next) return;
          list.replaceChildren(...next.children);
          active = -1;
          show(document.activeElement === input);
        })
        .catch(() => {});
    };
    input.addEventListener('input', () => {
      if (ref) ref.value = ''; // the text no longer names the chosen record
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
    input.addEventListener('keydown', (event) => {
      if (list.hidden) {
        if (event.key === 'ArrowDown' && input.value.trim()) update();
        return;
      }
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        highlight(active + (event.key === 'ArrowDown' ? 1 : -1));
      } else if (event.key === 'Enter' && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === 'Escape') {
        show(false);
      }
    });
    // mousedown, not click: it comes before the input's blur closes the list
    list.addEventListener('mousedown', (event) => {
      const option = event.target instanceof Element ? event.target.closest('[role="option"]:not([aria-disabled="true"])') : null;
      if (!option) return;
      event.preventDefault();
      choose(option);
    });
    input.addEventListener('blur', () => setTimeout(() => show(false), 150));
  }
}
