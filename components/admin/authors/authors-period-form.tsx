/** The period picker of the authors' revenue page: a plain GET form (works without scripts). */
export function AuthorsPeriodForm({ from, to }: { from: string; to: string }) {
  return (
    <form method="get" action="/admin/authors" className="admin-form authors-period">
      <label className="admin-field">
        <span>From (UTC, included)</span>
        <input type="date" name="from" defaultValue={from} required data-testid="authors-from" />
      </label>
      <label className="admin-field">
        <span>To (UTC, not included)</span>
        <input type="date" name="to" defaultValue={to} required data-testid="authors-to" />
      </label>
      <button
        type="submit"
        className="admin-button admin-button-primary"
        data-testid="authors-apply"
      >
        Show
      </button>
    </form>
  );
}
