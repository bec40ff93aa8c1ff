import { ArrowRight, MessageSquare } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';

export function ChatView() {
  return (
    <Page title="Chat" description="Talk to a local model and keep the answers worth training on.">
      <EmptyState
        icon={MessageSquare}
        title="No model to chat with yet"
        description="Chat with a local model. Import or download a model on the Models page first."
        actions={
          <Button asChild>
            <PageLink to="models">
              Go to Models
              <ArrowRight />
            </PageLink>
          </Button>
        }
        footnote="Everything runs on this machine; nothing you type leaves it."
      />
    </Page>
  );
}
