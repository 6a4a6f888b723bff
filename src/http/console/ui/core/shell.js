// What views and the API client ask of the shell (app.js) without importing it: redraw the page or the top bar, enter
// the route once signed in, end a session the bus no longer accepts. app.js connects them before the first render.
const shell = {
  render: () => undefined,
  renderTopbar: () => undefined,
  enterRoute: () => undefined,
  sessionExpired: () => undefined,
};

/** Called once by app.js with { render, renderTopbar, enterRoute, sessionExpired }. */
export function connectShell(handlers) {
  Object.assign(shell, handlers);
}

/** Draws the top bar and the current view (or sign-in) again from their state. */
export function render() {
  shell.render();
}

export function renderTopbar() {
  shell.renderTopbar();
}

/** Follows the address: loads what the view needs, then draws the page. */
export function enterRoute() {
  shell.enterRoute();
}

/** Forgets the session and everything seen with it, and shows sign-in with the notice that it expired. */
export function sessionExpired() {
  shell.sessionExpired();
}
