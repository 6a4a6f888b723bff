// Building the page: el() makes elements whose attributes and texts are values, never markup (audit records carry
// whatever clients sent, hostile strings included), and replaceSection() redraws one part of a view.

/**
 * Builds an element. attrs: class, testid, text, on<Event> handlers, and plain attributes (set with setAttribute,
 * so they are values, never markup). href must be an in-app link. Children: nodes, strings (as text), arrays, null.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'href') {
      const href = String(value);
      if (!href.startsWith('#')) throw new Error('only in-app links');
      node.setAttribute('href', href);
    } else if (key === 'style' || key === 'innerHTML' || key === 'srcdoc') throw new Error(`refused attribute ${key}`);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/**
 * A link out of the console (the operator's trace viewer, from bus.yaml): http(s) only, opened in a new tab that gets
 * no handle on the console. Anything else is shown as text.
 */
export function externalLink(url, text, attrs = {}) {
  let parsed = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return el('span', attrs, text);
  const node = el('a', { ...attrs, target: '_blank', rel: 'noopener noreferrer' }, text);
  node.setAttribute('href', parsed.href);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces one section of the current view (keeps form inputs and their focus). */
export function replaceSection(id, build) {
  const current = document.getElementById(id);
  if (current) current.replaceWith(build());
}
