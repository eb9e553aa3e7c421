// Progressive enhancement only: every page works without this file.
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-confirm]') : null;
  if (target && !window.confirm(target.getAttribute('data-confirm'))) event.preventDefault();
});

// Search as you type: the search form fetches the results fragment and swaps it in; the address bar
// follows, so the page can be bookmarked and works the same without this script.
const liveForm = document.querySelector('form[data-live-search]');
if (liveForm) {
  const results = () => document.getElementById('search-results');
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
        const target = results();
        if (target) target.outerHTML = html;
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
