import { Boxes, FolderOpen } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';
import { useSettings } from '@renderer/features/settings/useSettings';

export function ModelsView() {
  const settings = useSettings();
  return (
    <Page title="Models" description="The local GGUF models Lathe can chat with and fine-tune.">
      <EmptyState
        icon={Boxes}
        title="No models yet"
        description="Models are GGUF files kept in your models folder. Import a file you already have, or download one; then it is ready for Chat, Compare and Fine-tune."
        actions={
          <Button asChild variant="secondary">
            <PageLink to="settings">
              <FolderOpen />
              Change models folder
            </PageLink>
          </Button>
        }
        footnote={
          settings.data ? (
            <>
              Models folder: <code className="font-mono text-foreground/80">{settings.data.modelsDir}</code>
            </>
          ) : null
        }
      />
    </Page>
  );
}
