// How a view loads what it shows: its state says it is loading (shown while nothing is there yet), the section is
// drawn again at once, the request's error is kept for the section to show, and the section is drawn once more with
// the answer — only if the admin is still signed in and on that view.
import { errorMessage } from './api.js';
import { replaceSection } from './dom.js';
import { currentRoute } from './route.js';
import { currentSession } from './session.js';

/**
 * @param state   the view's state: its `loading` and `error` are set here
 * @param section { id, render, view }: the section's element id, its render function, and the view it belongs to
 * @param fetch   reads the answer into `state` (throws on a failed request)
 */
export async function loadSection(state, section, fetch) {
  state.loading = true;
  state.error = null;
  replaceSection(section.id, section.render);
  try {
    await fetch();
  } catch (error) {
    state.error = errorMessage(error);
  } finally {
    state.loading = false;
  }
  return Boolean(currentSession() && currentRoute().view === section.view);
}
