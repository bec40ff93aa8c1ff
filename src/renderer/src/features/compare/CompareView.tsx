import { ArrowRight, Columns2 } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';

export function CompareView() {
  return (
    <Page title="Compare" description="Put two answers side by side and pick the better one.">
      <EmptyState
        icon={Columns2}
        title="Nothing to compare yet"
        description="Compare answers A/B: the same prompt through two models, or a base model against its fine-tune, and record which answer wins. You need at least one model first."
        actions={
          <Button asChild>
            <PageLink to="models">
              Go to Models
              <ArrowRight />
            </PageLink>
          </Button>
        }
        footnote="Your picks become preference data for the next fine-tune."
      />
    </Page>
  );
}
