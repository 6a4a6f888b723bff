// The base URL the bus writes into the addresses it serves (a WSDL's soap:address): the configured http.publicBaseUrl,
// else where the bus listens. Never a request's Host header: the caller chooses that one.

/** http://host:port of a listening address; a wildcard host becomes the loopback address of this machine. */
export function listenUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** The configured public base URL (no trailing slash), else the listening address on `listeningPort`. */
export function publicBaseUrl(http: { publicBaseUrl?: string; host: string }, listeningPort: number): string {
  return http.publicBaseUrl ?? listenUrl(http.host, listeningPort);
}
