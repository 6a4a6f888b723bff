// Lets one caller stop waiting on a shared promise when its AbortSignal fires, without cancelling the promise for others.
import { DvcqgError } from './dvcqg-error';

export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, operation: string): Promise<T> {
  if (!signal) return promise;
  const aborted = () => new DvcqgError({ kind: 'aborted', code: 'ABORTED', message: `${operation}: request aborted` });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
