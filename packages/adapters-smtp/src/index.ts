export { NodemailerMailer, type NodemailerMailerOptions } from './nodemailer-mailer.js';
export { LogMailer, type LoggedMail } from './log-mailer.js';
