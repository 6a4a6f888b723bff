// The console's address, #/<view>/<id> (e.g. #/timeline/<messageId>, #/dossiers/<MaHoSo>): an unknown view is the search.
let route = { view: 'search', id: '' };

function parseHash(views) {
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, ...rest] = hash.split('/');
  if (!views.includes(view)) return { view: 'search', id: '' };
  let id = '';
  try {
    id = rest.length > 0 ? decodeURIComponent(rest.join('/')) : '';
  } catch {
    id = '';
  }
  return { view, id };
}

/** { view, id } as of the last followHash(). */
export function currentRoute() {
  return route;
}

/** Reads the address again; views: the names of the console's views. */
export function followHash(views) {
  route = parseHash(views);
  return route;
}

export function timelineHref(id) {
  return `#/timeline/${encodeURIComponent(id)}`;
}

export function dossierHref(maHoSo) {
  return `#/dossiers/${encodeURIComponent(maHoSo)}`;
}
