import { Database, MessageSquare } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';

export function DatasetsView() {
  return (
    <Page title="Datasets" description="Curate the instruction and answer pairs you fine-tune on.">
      <EmptyState
        icon={Database}
        title="No datasets yet"
        description="A dataset is a set of instructions with the answers you want the model to give. Start by chatting with a model and saving the answers worth keeping, or import a JSONL file."
        actions={
          <Button asChild>
            <PageLink to="chat">
              <MessageSquare />
              Start in Chat
            </PageLink>
          </Button>
        }
      />
    </Page>
  );
}
