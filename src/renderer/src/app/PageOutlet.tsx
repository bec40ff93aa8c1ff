import type { ComponentType } from 'react';
import { ChatView } from '@renderer/features/chat/ChatView';
import { CompareView } from '@renderer/features/compare/CompareView';
import { DatasetsView } from '@renderer/features/datasets/DatasetsView';
import { FineTuneView } from '@renderer/features/finetune/FineTuneView';
import { ModelsView } from '@renderer/features/models/ModelsView';
import { SettingsView } from '@renderer/features/settings/SettingsView';
import type { PageId } from './pages';

/** Which view renders each page; a `Record`, so a page without a view does not compile. */
const views: Record<PageId, ComponentType> = {
  chat: ChatView,
  datasets: DatasetsView,
  compare: CompareView,
  finetune: FineTuneView,
  models: ModelsView,
  settings: SettingsView,
};

export function PageOutlet({ page }: { page: PageId }) {
  const View = views[page];
  return <View />;
}
