export { Argon2PasswordHasher, type Argon2Options } from './argon2-password-hasher.js';
export { BoundedQueue } from './bounded-queue.js';
