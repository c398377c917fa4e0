/** A model is a draft until it is published (made ready); published weights no longer change. */
export function ReadyBadge({ ready }: { ready: boolean }) {
  return <span className={ready ? 'status status-published' : 'status'}>{ready ? 'Published' : 'Draft'}</span>;
}
