import { useState } from 'react';
import { toast } from 'sonner';
import { BookmarkPlus } from 'lucide-react';
import type { ThreadMessage } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import { Textarea } from '@renderer/components/ui/Textarea';
import { useApiMutation } from '@renderer/lib/useApiMutation';

/** "Add to dataset": keeps the conversation up to this answer, optionally with the answer edited first. */
export function KeepDialog({ message, onClose }: { message: ThreadMessage | null; onClose: () => void }) {
  return (
    <Dialog open={message !== null} onOpenChange={(open) => !open && onClose()}>
      {message && <KeepForm key={message.id} message={message} onClose={onClose} />}
    </Dialog>
  );
}

function KeepForm({ message, onClose }: { message: ThreadMessage; onClose: () => void }) {
  const [content, setContent] = useState(message.content);
  const [withThought, setWithThought] = useState(false);
  const keep = useApiMutation('chat.keep', {
    onSuccess: (example) => {
      toast.success(message.keptExampleId ? 'Example updated' : 'Added to dataset', {
        description: example.edited ? 'With your edited answer.' : 'Train on it from the Fine-tune page.',
      });
      onClose();
    },
  });
  const edited = content !== message.content;
  return (
    <DialogContent className="max-w-2xl">
      <DialogHeader
        title="Add to dataset"
        description="Keeps this conversation, up to this answer, as a training example. Improve the answer first if you like: the model learns what you keep."
      />
      <Textarea
        aria-label="Answer to keep"
        value={content}
        onChange={(event) => setContent(event.target.value)}
        className="min-h-48 font-mono text-[13px]"
      />
      {message.reasoning && (
        <label className="flex items-start gap-2.5 text-[13px]">
          <Checkbox
            className="mt-0.5"
            checked={withThought}
            onCheckedChange={(checked) => setWithThought(checked === true)}
            aria-label="Keep its thought too"
          />
          <span>
            Keep its thought too
            <span className="block text-xs text-muted-foreground">
              A fine-tune of a model that can think then learns to think this way, and answers so with Think on.
            </span>
          </span>
        </label>
      )}
      <DialogFooter>
        {edited && (
          <Button variant="ghost" className="mr-auto" onClick={() => setContent(message.content)}>
            Undo edits
          </Button>
        )}
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button
          disabled={!content.trim() || keep.isPending}
          onClick={() =>
            keep.mutate({
              messageId: message.id,
              ...(edited ? { editedContent: content } : {}),
              ...(withThought ? { withThought: true } : {}),
            })
          }
        >
          <BookmarkPlus />
          {edited ? 'Keep edited answer' : 'Keep answer'}
        </Button>
      </DialogFooter>
    </DialogContent>
  );
}
