import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { Toaster } from '@renderer/components/ui/Toaster';
import { TooltipProvider } from '@renderer/components/ui/Tooltip';
import { useAppliedTheme } from '@renderer/features/settings/useAppliedTheme';
import type { ApiClient } from '@renderer/lib/api';
import { ApiProvider } from '@renderer/lib/ApiProvider';
import { AppShell } from './AppShell';

export interface AppProps {
  api: ApiClient;
  queryClient: QueryClient;
}

/** The whole renderer: providers around the shell. Dependencies come in as props, not globals. */
export function App({ api, queryClient }: AppProps) {
  return (
    <ApiProvider client={api}>
      <QueryClientProvider client={queryClient}>
        <TooltipProvider delayDuration={400}>
          <Themed />
        </TooltipProvider>
      </QueryClientProvider>
    </ApiProvider>
  );
}

function Themed() {
  const theme = useAppliedTheme();
  return (
    <>
      <AppShell />
      <Toaster theme={theme} />
    </>
  );
}
