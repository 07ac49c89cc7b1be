/**
 * Sign-in, the first admin and the Users page, in both languages, spread into the locale files
 * under `auth` and `users` (one line each there). zh must have exactly en's keys.
 */
export const authEn = {
  signInTitle: 'Sign in',
  signInLead: 'Sign in with the user name and password an admin gave you.',
  firstAdminTitle: 'Create the first admin',
  firstAdminLead:
    'Nobody can sign in to this workspace yet. The admin you create here manages users, trunks, flows and campaigns.',
  username: 'User name',
  displayName: 'Display name',
  password: 'Password',
  confirmPassword: 'Password again',
  passwordHint: 'At least 8 characters.',
  passwordsDiffer: 'The two passwords differ.',
  signIn: 'Sign in',
  createAdmin: 'Create admin and sign in',
  signOut: 'Sign out',
  signedInAs: '{{name}} ({{role}})',
  checking: 'Checking your sign-in…',
  minutes: 'minutes',
  wrongCredentials: 'Wrong user name or password.',
  rateLimited: 'Too many failed sign-ins. Try again in {{minutes}} minute(s).',
  expired:
    'Your session ended (signed out elsewhere, idle too long, or changed by an admin). Sign in again.',
};

export const authZh: typeof authEn = {
  signInTitle: '登录',
  signInLead: '请使用管理员给您的用户名和密码登录。',
  firstAdminTitle: '创建第一个管理员',
  firstAdminLead: '此工作区还没有可以登录的用户。在此创建的管理员负责管理用户、线路、流程和活动。',
  username: '用户名',
  displayName: '显示名称',
  password: '密码',
  confirmPassword: '再次输入密码',
  passwordHint: '至少 8 个字符。',
  passwordsDiffer: '两次输入的密码不一致。',
  signIn: '登录',
  createAdmin: '创建管理员并登录',
  signOut: '退出登录',
  signedInAs: '{{name}}（{{role}}）',
  checking: '正在检查登录状态…',
  minutes: '分钟',
  wrongCredentials: '用户名或密码错误。',
  rateLimited: '登录失败次数过多，请 {{minutes}} 分钟后再试。',
  expired: '您的会话已结束（在别处退出、空闲过久或被管理员修改），请重新登录。',
};

export const usersEn = {
  title: 'Users',
  description:
    'Who can sign in, and as what: agents take calls, supervisors monitor, admins manage everything.',
  add: 'Add user',
  role: 'Role',
  state: 'State',
  canSignIn: 'Can sign in',
  noPassword: 'No password',
  disabled: 'Disabled',
  disable: 'Disable',
  enable: 'Enable',
  resetPassword: 'Reset password',
  newPassword: 'New password',
  save: 'Save',
  cancel: 'Cancel',
  added: 'Added {{name}}.',
  passwordReset: 'Password of {{name}} reset; their sessions ended.',
  empty: 'No users yet.',
};

export const usersZh: typeof usersEn = {
  title: '用户',
  description: '谁可以登录以及以什么身份：坐席接听电话，主管监听，管理员管理一切。',
  add: '添加用户',
  role: '角色',
  state: '状态',
  canSignIn: '可以登录',
  noPassword: '未设密码',
  disabled: '已停用',
  disable: '停用',
  enable: '启用',
  resetPassword: '重置密码',
  newPassword: '新密码',
  save: '保存',
  cancel: '取消',
  added: '已添加 {{name}}。',
  passwordReset: '已重置 {{name}} 的密码，其会话已结束。',
  empty: '还没有用户。',
};
