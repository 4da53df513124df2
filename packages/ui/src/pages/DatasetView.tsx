import { useMemo, useState } from "preact/hooks";
import { getDataset, parseJsonObject, type DatasetRecord } from "../lib/dataset-api.js";
import { datasetColumns, cellValue, type RecordColumn } from "../lib/dataset-columns.js";
import { formatTime } from "../lib/format.js";
import { useRecordsLoader } from "../lib/records-loader.js";
import { link } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";
import { recordCount, userTags } from "../components/DatasetsTable.js";
import { JsonDialog } from "../components/JsonDialog.js";
import { RecordsTable } from "../components/RecordsTable.js";

/**
 * `#/experiments/<id>/datasets/<dataset_id>`: a dataset's name, digest, counts and tags, and its
 * records as a table that loads pages as the user scrolls; a cell opens its full JSON.
 */
export function DatasetView(props: { experimentId: string; datasetId: string }) {
  const dataset = useAsync((signal) => getDataset(props.datasetId, signal), [props.datasetId]);
  const state = useRecordsLoader(props.datasetId);
  const [open, setOpen] = useState<{ column: RecordColumn; record: DatasetRecord }>();
  const d = dataset.value;
  const schema = useMemo(() => parseJsonObject(d?.schema), [d?.schema]);
  const columns = useMemo(() => datasetColumns(schema, state.records), [schema, state.records]);
  const total = d ? recordCount(d) : undefined;
  const back = (
    <p class="crumbs">
      <a href={link.datasets(props.experimentId)}>← All datasets</a>
    </p>
  );
  if (dataset.error) {
    return (
      <>
        {back}
        <p class="error" role="alert">
          {dataset.error.message}
        </p>
      </>
    );
  }
  return (
    <>
      {back}
      <div class="dataset-head">
        <h2>{d?.name ?? props.datasetId}</h2>
        {d && (
          <dl class="dataset-meta">
            <dt>ID</dt>
            <dd>
              <code>{d.dataset_id}</code>
            </dd>
            <dt>Digest</dt>
            <dd>
              <code>{d.digest}</code>
            </dd>
            <dt>Created</dt>
            <dd>
              {formatTime(d.created_time)}
              {d.created_by ? ` by ${d.created_by}` : ""}
            </dd>
            <dt>Updated</dt>
            <dd>
              {formatTime(d.last_update_time)}
              {d.last_updated_by ? ` by ${d.last_updated_by}` : ""}
            </dd>
            {userTags(d).length > 0 && (
              <>
                <dt>Tags</dt>
                <dd>
                  {userTags(d).map(([k, v]) => (
                    <span key={k} class="chip" title={`${k} = ${v}`}>
                      {k}={v}
                    </span>
                  ))}
                </dd>
              </>
            )}
          </dl>
        )}
      </div>
      <p class="muted records-count" aria-live="polite">
        {state.records.length.toLocaleString("en-US")}
        {state.complete ? "" : total !== undefined ? ` of ${total.toLocaleString("en-US")}` : "+"} records
        {state.loading ? " (loading…)" : ""}
      </p>
      {state.error && (
        <p class="error" role="alert">
          {state.error.message}
        </p>
      )}
      {!state.error && state.complete && state.records.length === 0 ? (
        <p class="muted empty">This dataset has no records yet.</p>
      ) : (
        <RecordsTable records={state.records} columns={columns} complete={state.complete} loadMore={state.loadMore} onOpen={(column, record) => setOpen({ column, record })} />
      )}
      {open && <JsonDialog title={`${open.column.label} of record ${open.record.dataset_record_id}`} value={cellValue(open.column, open.record)} onClose={() => setOpen(undefined)} />}
    </>
  );
}
