import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { getApi } from './api.ts';
import { App } from './components/App.tsx';
import { MissingApi } from './components/MissingApi.tsx';

const rootEl = document.getElementById('root');
if (rootEl) {
  const api = getApi();
  createRoot(rootEl).render(<StrictMode>{api ? <App api={api} /> : <MissingApi />}</StrictMode>);
}
