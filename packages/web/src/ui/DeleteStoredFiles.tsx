/**
 * The storage choice of ClearML's delete dialogs, ticked by default: the server also
 * deletes the stored files (artifacts, output models, debug samples), in the background.
 */
export function DeleteStoredFiles({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      Also delete artifacts, models and debug samples from storage
    </label>
  );
}

/** The fields of tasks.delete(_many) that carry the choice. */
export const storageFields = (deleteFiles: boolean) => ({ delete_output_models: deleteFiles, delete_external_artifacts: deleteFiles });
