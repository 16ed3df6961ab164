/** Shown instead of the app when the page was loaded without the preload's `window.sandpiper`. */
export function MissingApi() {
  return (
    <main className="flex h-screen items-center justify-center bg-white p-8 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
      <div role="alert" className="max-w-lg">
        <h1 className="mb-2 text-xl font-bold">Sandpiper cannot reach its capture engine</h1>
        <p className="mb-2">
          This page was opened without the connection to the rest of the app (<code>window.sandpiper</code> is missing),
          so there is nothing to show.
        </p>
        <p>Start Sandpiper with <code>npm start</code> or from its desktop entry rather than opening this file directly.</p>
      </div>
    </main>
  );
}
