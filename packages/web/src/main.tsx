import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadServerUrls } from './api/config';
import { App } from './app/App';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

loadServerUrls().then(
  () => root.render(<StrictMode><App /></StrictMode>),
  (err: Error) => root.render(<p className="fatal">The web UI could not read its settings from this server: {err.message}</p>),
);
