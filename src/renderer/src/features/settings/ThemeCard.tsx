import { Monitor, Moon, Sun, type LucideIcon } from 'lucide-react';
import type { Theme } from '@shared/domain';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { RadioCard, RadioGroup } from '@renderer/components/ui/RadioGroup';
import { cn } from '@renderer/lib/cn';
import { useSettings } from './useSettings';
import { useUpdateSettings } from './useUpdateSettings';

// A Record, so a theme added to the domain without a label here does not compile. (Importing
// `themes` from @shared/domain would pull zod into the renderer bundle.)
const options: Record<Theme, { label: string; icon: LucideIcon }> = {
  system: { label: 'System', icon: Monitor },
  light: { label: 'Light', icon: Sun },
  dark: { label: 'Dark', icon: Moon },
};
const themes = Object.keys(options) as Theme[];

export function ThemeCard() {
  const settings = useSettings();
  const update = useUpdateSettings();
  return (
    <Card>
      <CardHeader>
        <CardTitle id="theme-title">Appearance</CardTitle>
        <CardDescription>System follows your operating system&apos;s light or dark mode.</CardDescription>
      </CardHeader>
      <CardContent>
        <RadioGroup
          aria-labelledby="theme-title"
          className="grid-cols-3"
          value={settings.data?.theme ?? ''}
          disabled={!settings.data}
          onValueChange={(value) => update.mutate({ theme: value as Theme })}
        >
          {themes.map((theme) => {
            const { label, icon: Icon } = options[theme];
            return (
              <RadioCard key={theme} value={theme} aria-label={label}>
                <ThemePreview theme={theme} />
                <span className="flex items-center gap-1.5 px-1 pb-0.5 font-medium">
                  <Icon aria-hidden className="size-3.5 text-muted-foreground" />
                  {label}
                </span>
              </RadioCard>
            );
          })}
        </RadioGroup>
      </CardContent>
    </Card>
  );
}

/** A miniature window in fixed colours, so each option shows its theme whatever the current one is. */
function ThemePreview({ theme }: { theme: Theme }) {
  return (
    <div aria-hidden className="relative h-16 overflow-hidden rounded-md border">
      {theme === 'system' ? (
        <>
          <Window dark={false} />
          <div className="absolute inset-0 [clip-path:polygon(100%_0,100%_100%,0_100%)]">
            <Window dark />
          </div>
        </>
      ) : (
        <Window dark={theme === 'dark'} />
      )}
    </div>
  );
}

function Window({ dark }: { dark: boolean }) {
  return (
    <div className={cn('absolute inset-0 flex', dark ? 'bg-[#1c1c21]' : 'bg-white')}>
      <div className={cn('flex w-1/3 flex-col gap-1 p-1.5', dark ? 'bg-[#141418]' : 'bg-[#f4f4f6]')}>
        <div className="h-1.5 w-3/4 rounded-full bg-[#6366f1]" />
        <div className={cn('h-1.5 w-full rounded-full', dark ? 'bg-white/15' : 'bg-black/10')} />
        <div className={cn('h-1.5 w-2/3 rounded-full', dark ? 'bg-white/15' : 'bg-black/10')} />
      </div>
      <div className="flex flex-1 flex-col gap-1 p-1.5">
        <div className={cn('h-1.5 w-1/2 rounded-full', dark ? 'bg-white/30' : 'bg-black/20')} />
        <div className={cn('mt-1 h-5 rounded', dark ? 'bg-white/8' : 'bg-black/5')} />
      </div>
    </div>
  );
}
