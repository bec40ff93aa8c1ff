import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { createApiClient } from './lib/api';
import { createQueryClient } from './lib/createQueryClient';
import { notifyError } from './lib/notifyError';
import './index.css';

const api = createApiClient();
// Every failed call made through TanStack Query ends up as a toast.
const queryClient = createQueryClient(notifyError);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App api={api} queryClient={queryClient} />
  </StrictMode>,
);
