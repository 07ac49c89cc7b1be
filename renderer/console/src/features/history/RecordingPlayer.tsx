import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';

import type { RecordingInfo, Speaker } from '../../api/contract.js';
import { useFormat } from '../../i18n/format.js';
import type { TimedLine } from './transcriptSync.js';
import { lineEndMs } from './transcriptSync.js';

export interface PlayerLine extends TimedLine {
  speaker: Speaker;
}

export interface RecordingPlayerHandle {
  /** Jumps to `ms` from the start (the answer) and plays. */
  seekMs(ms: number): void;
}

interface RecordingPlayerProps {
  info: RecordingInfo;
  url: string;
  lines: readonly PlayerLine[];
  /** The playback position, at most once per animation frame while playing and on every seek. */
  onTimeMs: (ms: number) => void;
}

export const SPEEDS = [0.75, 1, 1.25, 1.5, 2] as const;

/** Region fills per speaker: translucent so the waveform stays readable under them. */
const REGION_COLORS: Record<Speaker, string> = {
  bot: 'rgb(105 65 198 / 16%)',
  agent: 'rgb(31 122 77 / 18%)',
  customer: 'rgb(29 99 201 / 16%)',
  supervisor: 'rgb(138 90 0 / 18%)',
};

/**
 * The stereo recording with wavesurfer.js: one waveform per channel (the customer on top, the bot
 * and the agent below) drawn from the engine's peaks, so nothing is decoded in the page; the audio
 * plays from the transport's media URL through an <audio> element (seeking uses HTTP ranges).
 * Each transcript line is a region coloured by its speaker.
 */
export const RecordingPlayer = forwardRef<RecordingPlayerHandle, RecordingPlayerProps>(
  function RecordingPlayer({ info, url, lines, onTimeMs }, ref) {
    const { t } = useTranslation();
    const format = useFormat();
    const container = useRef<HTMLDivElement>(null);
    const audio = useRef<HTMLAudioElement>(null);
    const surfer = useRef<WaveSurfer | null>(null);
    const [playing, setPlaying] = useState(false);
    const [speed, setSpeed] = useState(1);
    const [positionMs, setPositionMs] = useState(0);
    const [ready, setReady] = useState(false);
    const report = useRef(onTimeMs);
    report.current = onTimeMs;

    useImperativeHandle(ref, () => ({
      seekMs(ms) {
        const ws = surfer.current;
        if (!ws) return;
        ws.setTime(Math.max(0, ms) / 1000);
        void ws.play().catch(() => undefined); // A refused autoplay leaves it paused at the line.
      },
    }));

    useEffect(() => {
      if (!container.current || !audio.current) return;
      const regions = RegionsPlugin.create();
      const style = getComputedStyle(container.current);
      const color = (name: string, fallback: string) =>
        style.getPropertyValue(name).trim() || fallback;
      const ws = WaveSurfer.create({
        container: container.current,
        media: audio.current,
        url,
        peaks: info.peaks,
        duration: info.durationMs / 1000,
        height: 56,
        normalize: false,
        barWidth: 2,
        barGap: 1,
        barRadius: 1,
        cursorColor: color('--text', '#1b2430'),
        cursorWidth: 2,
        dragToSeek: true,
        splitChannels: info.channelRoles.map((role) => ({
          waveColor: role === 'customer' ? '#7aa7e6' : '#a08ad6',
          progressColor: role === 'customer' ? '#1d63c9' : '#6941c6',
        })),
        plugins: [regions],
      });
      surfer.current = ws;
      let frame = 0;
      const publish = (seconds: number) => {
        const ms = Math.round(seconds * 1000);
        setPositionMs(ms);
        report.current(ms);
      };
      const addRegions = () => {
        regions.clearRegions();
        for (const [index, line] of lines.entries()) {
          const end = lineEndMs(line);
          if (end <= line.startMs) continue;
          regions.addRegion({
            id: `line-${index}`,
            start: line.startMs / 1000,
            end: Math.min(end, info.durationMs) / 1000,
            color: REGION_COLORS[line.speaker],
            drag: false,
            resize: false,
          });
        }
      };
      const subscriptions = [
        // Regions go on once the waveform is laid out: added before, the plugin measures a zero-width
        // container and leaves them detached until the next resize.
        ws.on('ready', () => {
          addRegions();
          setReady(true);
        }),
        ws.on('play', () => setPlaying(true)),
        ws.on('pause', () => setPlaying(false)),
        ws.on('finish', () => setPlaying(false)),
        // timeupdate fires per frame while playing: coalesce into one React update per frame.
        ws.on('timeupdate', (seconds) => {
          cancelAnimationFrame(frame);
          frame = requestAnimationFrame(() => publish(seconds));
        }),
        ws.on('seeking', (seconds) => publish(seconds)),
      ];
      return () => {
        cancelAnimationFrame(frame);
        for (const unsubscribe of subscriptions) unsubscribe();
        ws.destroy();
        surfer.current = null;
      };
      // The waveform is built once per recording; lines only change for a live call, which has no recording yet.
    }, [info, url, lines]);

    useEffect(() => {
      surfer.current?.setPlaybackRate(speed, true);
    }, [speed]);

    return (
      <div
        className="player"
        data-testid="recording-player"
        data-ready={ready ? 'true' : undefined}
      >
        <div className="player-channels" aria-hidden="true">
          {info.channelRoles.map((role, index) => (
            <span key={index} className={`player-channel player-channel-${role}`}>
              {t(`callPage.channels.${role}`)}
            </span>
          ))}
        </div>
        <div className="player-wave" ref={container} data-testid="recording-waveform" />
        <audio ref={audio} preload="metadata" data-testid="recording-audio" />
        <div className="player-controls">
          <button
            type="button"
            className="button button-primary player-play"
            onClick={() => void surfer.current?.playPause()}
            aria-pressed={playing}
            data-testid="recording-play"
          >
            {playing ? t('callPage.pause') : t('callPage.play')}
          </button>
          <span className="mono player-position" data-testid="recording-position">
            {t('callPage.position', {
              current: format.clock(positionMs),
              total: format.clock(info.durationMs),
            })}
          </span>
          <label className="player-speed">
            {t('callPage.speed')}
            <select
              className="input"
              value={speed}
              onChange={(event) => setSpeed(Number(event.target.value))}
              data-testid="recording-speed"
            >
              {SPEEDS.map((value) => (
                <option key={value} value={value}>
                  {`${format.number(value)}×`}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
    );
  },
);
