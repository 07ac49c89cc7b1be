import { type ReactNode, useEffect, useId, useRef } from 'react';

import type { PageName } from '../app/routes.js';

let firstPage = true;

interface PageProps {
  name: PageName;
  title: string;
  description: string;
  /** Buttons or counters shown at the right of the title. */
  actions?: ReactNode;
  children: ReactNode;
}

/** The frame of every page: its heading (focused after navigation, for screen readers) and body. */
export function Page({ name, title, description, actions, children }: PageProps) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPage) {
      firstPage = false; // Leave focus alone on start-up; move it only when the user navigates.
      return;
    }
    heading.current?.focus();
  }, []);

  return (
    <section className="page" aria-labelledby={headingId} data-testid={`page-${name}`}>
      <header className="page-header">
        <div>
          <h1 id={headingId} ref={heading} tabIndex={-1}>
            {title}
          </h1>
          <p className="page-description">{description}</p>
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
