import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { FlowSummary, FlowTraining } from '../../api/contract.js';
import { useCommand, useEvent } from '../../api/hooks.js';
import { hrefFor } from '../../app/routes.js';
import { navigate } from '../../app/useRoute.js';
import { useFormat } from '../../i18n/format.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { LabelledClips } from '../labelling/LabelledClips.js';
import { FlowEditor } from './FlowEditor.js';
import { newFlowTemplate } from './flowText.js';
import { TestChat } from './TestChat.js';
import { TestSet } from './TestSet.js';
import { TrainingBadge, TrainingProgress } from './TrainingProgress.js';

type TrainingMap = Readonly<Record<string, FlowTraining>>;
const key = (name: string, version: number) => `${name}@${version}`;

/**
 * Flows: the list (language, latest version, training), and for the one selected (#/flows/<name>)
 * its versions, the JSON editor with live validation, training progress and the test chat.
 */
export function FlowsPage({ flowName = null }: { flowName?: string | null }) {
  const { t } = useTranslation();
  const flows = useCommand('flows.list', {});
  const [creating, setCreating] = useState(false);
  // Live training states from `flow.training` events, over what the last load said.
  const [training, setTraining] = useState<TrainingMap>({});
  useEvent('flow.training', (state) =>
    setTraining((previous) => ({ ...previous, [key(state.flow, state.version)]: state })),
  );
  useEvent('flows.changed', () => flows.reload());
  const trainingOf = useCallback(
    (name: string, version: number, loaded: FlowTraining | null = null) =>
      training[key(name, version)] ?? loaded,
    [training],
  );

  const rows = flows.data?.flows ?? [];
  const selected = creating ? null : flowName;
  return (
    <Page
      name="flows"
      title={t('flows.title')}
      description={t('flows.description')}
      actions={
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setCreating(true);
            navigate('flows');
          }}
          data-testid="flow-new"
        >
          {t('flows.newFlow')}
        </button>
      }
    >
      {flows.error ? <ErrorNotice error={flows.error} onRetry={flows.reload} /> : null}
      {!flows.data ? (
        flows.error ? null : (
          <Loading />
        )
      ) : rows.length === 0 && !creating ? (
        <EmptyState
          testId="empty-flows"
          icon={pageIcons.flows}
          title={t('flows.empty.title')}
          body={t('flows.empty.body')}
        />
      ) : (
        <FlowsTable
          flows={rows}
          selected={selected}
          training={(f) =>
            f.latestVersion === null ? null : trainingOf(f.name, f.latestVersion, f.training)
          }
          onOpen={(name) => {
            setCreating(false);
            navigate('flows', name);
          }}
        />
      )}
      {creating ? (
        <NewFlowWorkspace
          trainingOf={trainingOf}
          onSaved={(name) => {
            setCreating(false);
            navigate('flows', name);
          }}
        />
      ) : selected ? (
        <FlowWorkspace key={selected} name={selected} trainingOf={trainingOf} />
      ) : null}
    </Page>
  );
}

function FlowsTable({
  flows,
  selected,
  training,
  onOpen,
}: {
  flows: readonly FlowSummary[];
  selected: string | null;
  training: (f: FlowSummary) => FlowTraining | null;
  onOpen: (name: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<FlowSummary>[] = [
    {
      id: 'name',
      header: t('flows.columns.name'),
      cell: (f) => (
        <a
          className="mono row-link"
          href={hrefFor('flows', f.name)}
          aria-label={t('flows.open', { name: f.name })}
          onClick={(event) => event.stopPropagation()}
        >
          {f.name}
        </a>
      ),
    },
    {
      id: 'language',
      header: t('flows.columns.language'),
      cell: (f) => <span lang={f.language}>{t(`languageNames.${f.language}`)}</span>,
    },
    {
      id: 'version',
      header: t('flows.columns.version'),
      cell: (f) =>
        f.latestVersion === null
          ? t('flows.notPublished')
          : t('flows.versionValue', { version: f.latestVersion }),
    },
    {
      id: 'versions',
      header: t('flows.columns.versions'),
      numeric: true,
      cell: (f) => format.number(f.versions),
    },
    {
      id: 'training',
      header: t('flows.columns.training'),
      cell: (f) => <TrainingBadge training={training(f)} />,
    },
    {
      id: 'updated',
      header: t('flows.columns.updated'),
      cell: (f) => format.dateTimeShort(f.updatedAt),
    },
  ];
  return (
    <DataTable
      caption={t('flows.tableCaption')}
      columns={columns}
      rows={flows}
      rowKey={(f) => f.id}
      rowTestId="flow-row"
      rowData={(f) => ({ 'data-flow': f.name })}
      onRowClick={(f) => onOpen(f.name)}
      isSelected={(f) => f.name === selected}
      testId="flows-table"
    />
  );
}

type TrainingOf = (
  name: string,
  version: number,
  loaded?: FlowTraining | null,
) => FlowTraining | null;

function FlowWorkspace({ name, trainingOf }: { name: string; trainingOf: TrainingOf }) {
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [lastSaved, setLastSaved] = useState<{ version: number; created: boolean } | null>(null);
  const detail = useCommand('flows.get', version === undefined ? { name } : { name, version });
  const data = detail.data;
  if (detail.error) return <ErrorNotice error={detail.error} onRetry={detail.reload} />;
  if (!data) return <Loading />;
  const at = `${data.name}@${data.version}`;
  return (
    <div
      className="split flow-workspace"
      data-testid="flow-workspace"
      data-flow={data.name}
      data-version={data.version}
    >
      <FlowEditor
        key={at}
        detail={data}
        initialText={`${JSON.stringify(data.definition, null, 2)}\n`}
        onVersion={setVersion}
        lastSaved={lastSaved?.version === data.version ? lastSaved : null}
        onSaved={(saved, savedVersion, created) => {
          setLastSaved({ version: savedVersion, created });
          if (saved !== name) navigate('flows', saved);
          setVersion(undefined);
          detail.reload();
        }}
        training={(v) =>
          trainingOf(data.name, v, data.versions.find((x) => x.version === v)?.training ?? null)
        }
      />
      <div className="flow-side">
        <TrainingProgress training={trainingOf(data.name, data.version, data.training)} />
        <LabelledClips name={data.name} />
        <TestChat
          key={at}
          name={data.name}
          version={data.version}
          fields={data.contactFields}
          dispositions={flowDispositions(data.definition)}
        />
        <TestSet
          key={`test-set-${at}`}
          name={data.name}
          version={data.version}
          definition={data.definition}
        />
      </div>
    </div>
  );
}

function NewFlowWorkspace({
  trainingOf,
  onSaved,
}: {
  trainingOf: TrainingOf;
  onSaved: (name: string) => void;
}) {
  const { i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'zh-CN';
  return (
    <div className="split flow-workspace" data-testid="flow-workspace" data-flow="">
      <FlowEditor
        detail={null}
        initialText={newFlowTemplate(language)}
        onVersion={() => {}}
        onSaved={(name) => onSaved(name)}
        training={() => null}
      />
      <div className="flow-side">
        <TrainingProgress training={trainingOf('', 0)} />
      </div>
    </div>
  );
}

/** The definition's `dispositions` labels, when it has them (the engine validated the shape). */
function flowDispositions(
  definition: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const labels = definition['dispositions'];
  return typeof labels === 'object' && labels !== null && !Array.isArray(labels)
    ? (labels as Record<string, unknown>)
    : undefined;
}
