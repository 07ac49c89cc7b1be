/**
 * The contact rows the Agent desk shows on both of its cards, the transfer offer and the
 * preview: the name, the number, the campaign, whatever rows the card adds, then the contact's
 * own fields as tags. One component so the two cards cannot drift apart.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface ContactFactsProps {
  contact: { name: string | null; phone: string; fields: Record<string, unknown> };
  campaign: string | null;
  /** The test ids of the name, number and fields cells (the two cards kept their own). */
  testIds: { list: string; name: string; phone: string; fields?: string };
  /** Rows the card shows between the campaign and the fields. */
  children?: ReactNode;
}

export function ContactFacts({ contact, campaign, testIds, children }: ContactFactsProps) {
  const { t } = useTranslation();
  const fields = Object.entries(contact.fields);
  return (
    <dl className="details" data-testid={testIds.list}>
      <div className="details-row">
        <dt>{t('agentDesk.offer.contact')}</dt>
        <dd data-testid={testIds.name}>{contact.name ?? t('agentDesk.offer.none')}</dd>
      </div>
      <div className="details-row">
        <dt>{t('agentDesk.offer.phone')}</dt>
        <dd className="mono" data-testid={testIds.phone}>
          {contact.phone}
        </dd>
      </div>
      <div className="details-row">
        <dt>{t('agentDesk.offer.campaign')}</dt>
        <dd>{campaign ?? t('agentDesk.offer.none')}</dd>
      </div>
      {children}
      {fields.length > 0 ? (
        <div className="details-row">
          <dt>{t('agentDesk.offer.fields')}</dt>
          <dd className="tag-list" data-testid={testIds.fields}>
            {fields.map(([key, value]) => (
              <span key={key} className="tag">
                {key}: {String(value)}
              </span>
            ))}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
