import { Boxes, Database, SlidersHorizontal } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';

export function FineTuneView() {
  return (
    <Page title="Fine-tune" description="Train a LoRA adapter that makes a model answer your way.">
      <EmptyState
        icon={SlidersHorizontal}
        title="No training runs yet"
        description="Fine-tuning trains a small LoRA adapter on one of your datasets, on top of a base model. You need a base model and a dataset first."
        actions={
          <>
            <Button asChild>
              <PageLink to="models">
                <Boxes />
                Choose a base model
              </PageLink>
            </Button>
            <Button asChild variant="secondary">
              <PageLink to="datasets">
                <Database />
                Prepare a dataset
              </PageLink>
            </Button>
          </>
        }
        footnote="Training runs in the background; follow it under Activity in the sidebar."
      />
    </Page>
  );
}
