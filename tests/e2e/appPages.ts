/** What each page must show; mirrors `src/renderer/src/app/pages.ts` from the user's side. */
export const appPages = [
  { id: 'chat', label: 'Chat', key: '1', firstStep: 'Import or download a model on the Models page first.' },
  { id: 'datasets', label: 'Datasets', key: '2', firstStep: 'Import a JSONL, JSON or CSV file' },
  { id: 'compare', label: 'Compare', key: '3', firstStep: 'You need at least one model first.' },
  { id: 'finetune', label: 'Fine-tune', key: '4', firstStep: 'You need a base model and a dataset first.' },
  { id: 'models', label: 'Models', key: '5', firstStep: 'Import a file you already have, or download one' },
  { id: 'settings', label: 'Settings', key: '6', firstStep: null },
] as const;
