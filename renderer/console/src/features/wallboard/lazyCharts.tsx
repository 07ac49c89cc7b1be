/**
 * The charts as the pages use them: loaded on first use (a chunk of the console's own bundle, so
 * offline like the rest), with an empty frame of the chart's size while it loads.
 */
import { lazy, Suspense } from 'react';

import type { BarChartProps, DoughnutChartProps } from './charts.js';

const LazyBar = lazy(() => import('./charts.js').then((m) => ({ default: m.BarChart })));
const LazyDoughnut = lazy(() => import('./charts.js').then((m) => ({ default: m.DoughnutChart })));

export function BarChart(props: BarChartProps) {
  return (
    <Suspense fallback={<div className="kpi-chart" />}>
      <LazyBar {...props} />
    </Suspense>
  );
}

export function DoughnutChart(props: DoughnutChartProps) {
  return (
    <Suspense fallback={<div className="kpi-chart" />}>
      <LazyDoughnut {...props} />
    </Suspense>
  );
}
