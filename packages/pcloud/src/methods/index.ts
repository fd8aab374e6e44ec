import { deactivateuser, senddeactivatemail } from './deactivate';
import { changemail, sendchangemail, sendverificationemail, verifyemail } from './email';
import { changepassword, lostpassword, resetpassword } from './password';
import { invite, register, userinvites } from './register';
import { deletetoken, getdigest, listtokens, logout, userinfo } from './session';
import type { Builtin } from './types';

export const BUILTINS: readonly Builtin[] = [
  getdigest,
  userinfo,
  logout,
  listtokens,
  deletetoken,
  changepassword,
  register,
  lostpassword,
  resetpassword,
  sendverificationemail,
  verifyemail,
  sendchangemail,
  changemail,
  senddeactivatemail,
  deactivateuser,
  invite,
  userinvites,
];
