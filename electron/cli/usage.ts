/** Help text for `outbound`. */
export const USAGE = `Usage: outbound <command> [options]

Commands:
  serve                 Start the engine with the console on 127.0.0.1 (headless)
  trunk add NAME        Add a SIP trunk (options below)
  trunk list            List the SIP trunks (health reads "not connected": the CLI places no calls)
  trunk remove NAME     Remove a SIP trunk
  user add NAME         Add a console user: --role agent|supervisor|admin --password-file F
                        (- for stdin) [--display-name TEXT]. The first admin of a headless
                        workspace is made this way. Every outbound command runs as the
                        workspace's local admin (it already has the data folder's files)
  user list             List the console users, their roles and whether they can sign in
  call NUMBER           Place one real call headless (the media host runs in Chromium)
  flow validate FILE    Check a flow file; every problem is named by node and field
  flow save FILE        Store a flow file as a new version of the flow named by its id (as the
                        console's Flows page saves; campaigns then run it). A flow with problems
                        is refused, naming each by node and field; an unchanged one stores
                        nothing. --wait follows its phrase models' training until they are ready
                        (trained in this command when no outbound serve runs on the workspace);
                        without it they train in outbound serve or the desktop app
  flow list             List the saved flows: language, latest version (and, from a running
                        outbound serve, its training state)
  flow chat FILE|NAME   Typed test chat through a flow: type the customer's answers ("#5" presses
                        a key, an empty line is silence); --contact key=value sets the contact's
                        fields ({name}, {amount}), --tz ZONE their time zone (default Asia/Shanghai).
                        NAME[@VERSION] is a flow saved in the workspace (its id, e.g.
                        appointment-confirm-en; the latest version unless @VERSION)
  flow eval FILE|NAME   Measure how the flow understands answers: --text FILE.tsv (lines
                        text<TAB>expected[<TAB>node[<TAB>tags]], expected an intent or none, #
                        comments; node optional when the flow has one question, or flow:ID/NODE,
                        or library for the common-answer library on its own; tags offtopic, neg,
                        neg=INTENT) or --audio DIR (labels.tsv: file<TAB>expected[<TAB>node], or
                        <expected>/<file>.wav folders). Reports intent accuracy, accepted-correct,
                        false accepts (over none lines, and over lines tagged offtopic), negation
                        errors, the share it would confirm, per intent and the confusion matrix,
                        for the flow, the library lines and the whole set (--json: every line).
                        Exit 0 with a report; 2 when the test set is malformed (each bad line
                        named)
  import FILE           Import a CSV or XLSX file of contacts into --list NAME (created when
                        missing): CSV in UTF-8 or GBK/GB18030, columns recognised by header
                        (phone/电话/手机号, name/姓名, time zone/时区, amount/金额, tags/标签…),
                        numbers normalized to E.164; every rejected row is printed with its row
                        number (header = 1)
  dnc add NUMBER        Put a number on the do-not-call list (stored as E.164)
  dnc import FILE       Add a file of numbers: one per line, or a CSV with a phone column (and
                        optionally a reason column); each bad line is printed with its line number
  dnc list              List the do-not-call numbers, newest first
  dnc remove NUMBER     Take a number off the do-not-call list
  privacy purge         Delete now what is past its retention (Settings); --dry-run only counts
  privacy erase NUMBER  Erase one person's data (contacts, calls, transcripts, recordings, files);
                        the number stays on the do-not-call list as a keyed hash. Asks for the
                        number again on a terminal (--yes skips the question)
  privacy export NUMBER --out FILE.zip
                        One person's data as a zip (an access request): JSON, CSV, recordings
  campaign create NAME  Create a campaign (options below, or --config FILE.json with the whole
                        CampaignConfig); campaign update NAME changes a campaign that is not running
  campaign start NAME   Start (or restart) it: pins the flow version, adds the list's contacts.
                        pause / resume / stop NAME: no new dials, live calls finish.
                        Calls are placed by \`outbound serve\` or the desktop app, never by the CLI;
                        while \`outbound serve\` runs on the workspace the command goes to it
  campaign status NAME  Progress: contacts dialed / remaining / finished, calls by outcome
  campaign list         List the campaigns
  recordings key status What call recordings are encrypted for (the workspace key, or a public
                        key only) and the key ids kept here. recordings key generate DIR makes an
                        X25519 pair (recording-public.pem, recording-private.pem 0600);
                        use-public FILE: new recordings only where its private key is;
                        use-workspace: back to the workspace key; load FILE / unload ID: keep a
                        private key here (sealed) so recordings made for it play. From the next start
  db migrate            Bring the store to this version's schema and print the migrations applied:
                        the shared PostgreSQL database with --database (safe beside running seats),
                        else the SQLite file in the data folder
  db copy               Move a workspace's SQLite store into an empty PostgreSQL database:
                        --from sqlite:PATH (the data folder or its outbound.db) --to postgres://…,
                        one transaction, each table's rows counted on both sides; --dry-run copies
                        and rolls back
  version               Print the version
  help                  Show this help

Options for every command:
  --data DIR            Workspace folder (database, recordings); default: the desktop app's folder
  --database URL        Keep the store in a shared PostgreSQL database, postgres://USER@HOST[:PORT]/DB
                        (several seats, docs/POSTGRES.md); default: SQLite in the data folder.
                        Also OUTBOUND_DATABASE
  --json                One JSON object per line instead of readable text

Options for serve:
  --port N              Port to listen on (default 0: any free port)
  --host HOST           127.0.0.1 (default), ::1 or localhost; never a public address

Options for trunk add:
  --uri URI             The PBX's or carrier's SIP WebSocket, ws:// or wss://, e.g. wss://pbx.example.com:8089/ws
  --domain DOMAIN       SIP domain: a host name or IP address, e.g. pbx.example.com
  --user U              Username for digest authentication
  --password-file F     Read the password from file F (one line), or from stdin with "-".
                        Never on the command line: arguments are visible to every user in the
                        process list and stay in shell history. Stored encrypted.
  --register            Register with the PBX (REGISTER) before calling
  --backup              A backup trunk, used when the primary ones fail (default: primary)
  --caller-id N         Outbound caller ID: digits, optionally starting with +, or a SIP user name
  --max-calls N         Calls at once on this trunk, 1-500 (default 30)
  --transfer-mode M     How a call moves to an agent on another seat: bridge (default: a second
                        leg from the call's seat, which keeps the call) or refer (a SIP REFER, so
                        the agent's seat takes the call over; where the PBX supports REFER)

Options for call:
  --trunk NAME          Trunk to call out on (default: the first primary trunk); a backup trunk
                        takes the same call when this one is down or fails
  --play FILE.wav       Play this WAV (any rate, mono or stereo) as the bot's voice once answered;
                        the call is hung up when it has played
  --flow NAME|FILE      Run the speech bot with a saved flow (NAME or NAME@VERSION) or a flow file:
                        each turn is printed (speaker, text or phrase, intent, confidence, times
                        from the answer), then the outcome and disposition
  --contact key=value   The contact's fields for the flow's {variables} (repeatable)
  --tz ZONE             The contact's time zone for dates and times (default Asia/Shanghai for
                        Mandarin flows, this machine's zone otherwise)
  --record FILE.wav     Write what the customer said (16 kHz mono)
  --ring-timeout MS     Cancel when not answered within MS milliseconds (default: the setting, 30000)
  --max-duration MS     Hang up MS milliseconds after the answer
  Every milestone is printed with its time since the dial. The call ends when either side hangs
  up, the WAV has played, or on Ctrl+C. Exit code by outcome: 0 answered, 1 failed, 3 busy,
  4 no_answer, 5 invalid_number.

Options for import:
  --list NAME           The contact list to import into; created when missing
  --region CC           Region for numbers without a country code (default: the list's, else CN)
  --map column=field    Map a column (header as in the file) to phone, name, timeZone, a custom
                        field, or "-" to skip it (repeatable); overrides the recognised headers
  Exit 0 when the file was read, even with rejected rows; 1 when it cannot be imported (empty, no
  phone column, unreadable); nothing is stored unless the whole file is.

Options for campaign create and update:
  --list NAME           Contact list to call (import it first with outbound import)
  --flow NAME[@V]       Flow the bot runs on answered calls (version pinned at start: V, else the
                        latest); progressive and power campaigns may leave it out (--flow none)
  --trunk NAME          Trunk to call out on; repeat for more, tried in order
  --mode M              agentless (bot only, default), progressive (one line per available
                        agent), power (--lines-per-agent N lines per available agent, default 2),
                        predictive (paced under an abandonment cap; its settings in --config) or
                        preview (the agent sees the contact, then dials or skips)
  --queue NAME          Agents' queue for progressive and power calls (default: default)
  --max-concurrent N    Calls this campaign runs at once (default 5; trunks and Settings cap too)
  --tz ZONE             Zone for contacts with none of their own (default: Settings' zone)
  --window DAYS=HH:MM-HH:MM  Calling hours in each contact's own time zone, repeatable, e.g.
                        --window mon-fri=09:00-12:00,14:00-20:00 --window sat=10:00-16:00
                        (default mon-fri=09:00-20:00)
  --exclude YYYY-MM-DD  A holiday: nobody is called that day (repeatable)
  --retry OUTCOME=DUR   Wait before retrying after an outcome, e.g. busy=10m no_answer=1h,
                        failed=5m; OUTCOME=none never retries it (defaults: busy 10m, no_answer
                        1h, failed 5m, machine 4h, abandoned 30m)
  --max-attempts N      Attempts per contact, first call included (default 3)
  --daily-cap N         Calls per number per local day across all campaigns (default 3)

Options for flow save:
  --wait                Wait until the saved version's phrase models are trained, printing each
                        stage; exit 1 if training fails. A flow with problems exits 2, as with
                        flow validate

Options for flow eval:
  --text FILE.tsv       A typed test set, run through the flow's own text understanding
  --audio DIR           WAV files, run through the flow's phrase models (trained first if needed)
  --node ID             The question for lines without one (default: the flow's only question)
  --tz ZONE             Zone for dates in typed answers (default UTC)

Options for dnc:
  --reason R            Why the number may not be called (dnc add)
  --region CC           Region for numbers without a country code (default: Settings, CN)
  dnc import stores the good lines in one transaction and exits 0 even with bad lines; 1 when no
  line holds a valid number (nothing is stored).

Options for privacy:
  --dry-run             privacy purge: report what would be deleted, delete nothing
  --out FILE.zip        privacy export: where the zip is written
  --yes                 privacy erase: confirm without asking (required without a terminal)
  --region CC           Region for numbers without a country code (default: Settings, CN)

Exit codes: 0 done, 1 failed, 2 usage mistake (including a value the command refuses).
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
