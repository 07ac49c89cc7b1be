import './zod-config.js'; // Must stay the first import.
import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { ApiProvider } from './api/ApiProvider.js';
import { connectToEngine } from './api/engine.js';
import { App } from './app/App.js';
import { LanguageProvider } from './app/language.js';
import { AuthGate } from './features/auth/AuthGate.js';
import { initI18n } from './i18n/index.js';

initI18n();
// Before the first render: takes the token out of the address bar and opens the connection.
const connection = connectToEngine();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ApiProvider connection={connection}>
      <AuthGate>
        <LanguageProvider>
          <App />
        </LanguageProvider>
      </AuthGate>
    </ApiProvider>
  </StrictMode>,
);
