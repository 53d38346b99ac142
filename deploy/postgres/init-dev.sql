-- Development database only (compose.dev.yaml): a second database for the test suite, so tests
-- never wipe the data `pnpm dev` works on. Runs once, when the volume is first initialised.
CREATE DATABASE latchkey_test OWNER latchkey;
