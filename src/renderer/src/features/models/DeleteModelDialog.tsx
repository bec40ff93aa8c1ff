import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { Trash2 } from 'lucide-react';
import type { ModelInfo } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import { fileName } from '@renderer/features/finetune/format';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { modelsKey } from './modelQueries';

/** Confirms removing a model from the library, optionally deleting its file from disk too. */
export function DeleteModelDialog({
  model,
  open,
  onOpenChange,
}: {
  model: ModelInfo;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const [deleteFile, setDeleteFile] = useState(false);
  const remove = useApiMutation('models.delete', {
    onSuccess: (result) => {
      queryClient.setQueryData<ModelInfo[]>(modelsKey, (list) => list?.filter((m) => m.id !== model.id));
      void queryClient.invalidateQueries({ queryKey: modelsKey });
      toast.success(`Removed ${model.name}`, {
        description: result.fileDeleted ? `${fileName(model.path)} was deleted from disk.` : 'The file was kept.',
      });
      onOpenChange(false);
    },
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setDeleteFile(false);
        onOpenChange(next);
      }}
    >
      <DialogContent className="max-w-md">
        <DialogHeader
          title={`Remove “${model.name}”?`}
          description="It leaves the library; its conversations keep their messages, with no model chosen."
        />
        <label className="flex items-start gap-2.5 rounded-lg border px-3 py-2.5 text-[13px]">
          <Checkbox
            checked={deleteFile}
            onCheckedChange={(checked) => setDeleteFile(checked === true)}
            disabled={model.missing}
            className="mt-0.5"
            aria-label="Also delete the file"
          />
          <span className="min-w-0">
            <span className="font-medium">Also delete the file</span>
            <span className="mt-0.5 block truncate font-mono text-[11px] text-muted-foreground" title={model.path}>
              {model.missing ? 'The file is already gone.' : model.path}
            </span>
          </span>
        </label>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button
            variant="destructive"
            disabled={remove.isPending}
            onClick={() => remove.mutate({ id: model.id, deleteFile })}
          >
            <Trash2 />
            {deleteFile ? 'Remove and delete file' : 'Remove'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
