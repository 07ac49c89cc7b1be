/**
 * The Settings page's Seat section (issue 16: several seats on one PostgreSQL database) in both
 * languages; spread into the locale files as `seat`. zh must have exactly en's keys.
 */
export const seatEn = {
  title: 'Seat',
  description:
    'This desktop’s place among seats sharing one PostgreSQL database: its seat id, the database it opens at start, and where it finds recordings other seats made.',
  seatId: 'Seat id',
  inUse: 'Database in use',
  sqlite: 'The SQLite file in the data folder',
  sources: {
    option: 'chosen by the app at start',
    environment: 'chosen by --database or OUTBOUND_DATABASE, which override this setting',
    workspace: 'saved here',
    default: 'none was chosen at start',
  },
  database: {
    label: 'Shared database (PostgreSQL)',
    help: 'postgres://USER:PASSWORD@HOST:PORT/DATABASE, kept in this seat’s data folder (seat.json, readable by this user only). Empty: the SQLite file in the data folder. The password is never shown again.',
    placeholder: 'postgres://outbound@db.example.lan:5432/outbound',
    saved: 'Saved: {{url}}',
    savedSqlite: 'Saved: the SQLite file in the data folder',
    clear: 'Use the SQLite file',
  },
  recordingsShare: {
    label: 'Recordings share',
    help: 'The folder where every other seat’s recordings folder is mounted as <folder>/<seat id> (a network share). History plays their recordings from there. Empty: only this seat’s recordings.',
  },
  save: 'Save seat settings',
  saved: 'Seat settings saved.',
  restart: 'Restart the app to apply the new database: the database in use changes only at start.',
};

export const seatZh: typeof seatEn = {
  title: '席位',
  description:
    '本机在共用一个 PostgreSQL 数据库的多个席位中的设置：席位编号、启动时打开的数据库，以及其他席位录音的读取位置。',
  seatId: '席位编号',
  inUse: '当前数据库',
  sqlite: '数据文件夹中的 SQLite 文件',
  sources: {
    option: '由应用在启动时选择',
    environment: '由 --database 或 OUTBOUND_DATABASE 指定，优先于此设置',
    workspace: '在此保存',
    default: '启动时未指定数据库',
  },
  database: {
    label: '共享数据库（PostgreSQL）',
    help: 'postgres://用户:密码@主机:端口/数据库，保存在本席位的数据文件夹中（seat.json，仅本用户可读）。留空：使用数据文件夹中的 SQLite 文件。密码不会再次显示。',
    placeholder: 'postgres://outbound@db.example.lan:5432/outbound',
    saved: '已保存：{{url}}',
    savedSqlite: '已保存：数据文件夹中的 SQLite 文件',
    clear: '改用 SQLite 文件',
  },
  recordingsShare: {
    label: '录音共享文件夹',
    help: '其他席位的录音文件夹挂载在 <文件夹>/<席位编号>（网络共享）。历史记录从这里播放它们的录音。留空：只有本席位的录音。',
  },
  save: '保存席位设置',
  saved: '席位设置已保存。',
  restart: '重启应用以使用新的数据库：当前数据库只在启动时更换。',
};
