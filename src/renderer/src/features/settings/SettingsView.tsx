import { Page } from '@renderer/components/Page';
import { AboutCard } from './AboutCard';
import { HuggingFaceTokenCard } from './HuggingFaceTokenCard';
import { LocalApiCard } from './LocalApiCard';
import { ModelsFolderCard } from './ModelsFolderCard';
import { ShortcutsCard } from './ShortcutsCard';
import { ThemeCard } from './ThemeCard';

export function SettingsView() {
  return (
    <Page
      title="Settings"
      description="Appearance, where models live, Hugging Face access, the local API, and version details."
    >
      <div className="mx-auto flex max-w-3xl flex-col gap-5 px-6 py-6">
        <ThemeCard />
        <ModelsFolderCard />
        <HuggingFaceTokenCard />
        <LocalApiCard />
        <ShortcutsCard />
        <AboutCard />
      </div>
    </Page>
  );
}
