/**
 * The KPI charts of the Wallboard and the Reports page, on Chart.js through react-chartjs-2
 * (bundled with the console: no CDN, works offline). Only the pieces used are registered, so the
 * bundle keeps Chart.js's tree-shaken core, and the pages load this file lazily (lazyCharts.tsx):
 * its ~190 kB stay out of the console's first load. Animations are off: the wallboard redraws up to once a
 * second and a figure should change in place, not slide.
 */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  type ChartData,
  type ChartOptions,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { Bar, Doughnut } from 'react-chartjs-2';

ChartJS.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  DoughnutController,
  ArcElement,
  Tooltip,
  Legend,
);

/** The console's palette (styles.css), in the order series are drawn. */
export const SERIES_COLOURS = ['#1d63c9', '#1f7a4d', '#6941c6', '#8a5a00', '#b42318', '#4b5563'];

export interface Series {
  label: string;
  values: Array<number | null>;
}

const BASE: ChartOptions<'bar'> = {
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
  scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
};

export interface BarChartProps {
  labels: string[];
  series: Series[];
  target?: { label: string; value: number };
  testId: string;
  ariaLabel: string;
}

export interface DoughnutChartProps {
  labels: string[];
  values: number[];
  colours: string[];
  testId: string;
  ariaLabel: string;
}

/** Grouped bars: one group per label, one bar per series; `target` draws a dashed horizontal line. */
export function BarChart({ labels, series, target, testId, ariaLabel }: BarChartProps) {
  const data: ChartData<'bar' | 'line', Array<number | null>, string> = {
    labels,
    datasets: [
      ...series.map((s, i) => ({
        type: 'bar' as const,
        label: s.label,
        data: s.values,
        backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
      })),
      ...(target
        ? [
            {
              type: 'line' as const,
              label: target.label,
              data: labels.map(() => target.value),
              borderColor: '#b42318',
              borderDash: [6, 4],
              borderWidth: 2,
              pointRadius: 0,
            },
          ]
        : []),
    ],
  };
  return (
    <div className="kpi-chart" data-testid={testId}>
      {/* Chart.js's mixed bar + line chart: the Bar component with typed datasets. */}
      <Bar
        data={data as ChartData<'bar', Array<number | null>, string>}
        options={BASE}
        aria-label={ariaLabel}
        role="img"
      />
    </div>
  );
}

export function DoughnutChart({ labels, values, colours, testId, ariaLabel }: DoughnutChartProps) {
  const data: ChartData<'doughnut', number[], string> = {
    labels,
    datasets: [{ data: values, backgroundColor: colours }],
  };
  const options: ChartOptions<'doughnut'> = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { position: 'right', labels: { boxWidth: 12 } } },
  };
  return (
    <div className="kpi-chart" data-testid={testId}>
      <Doughnut data={data} options={options} aria-label={ariaLabel} role="img" />
    </div>
  );
}
