import type { Config } from '@react-router/dev/config';

export default {
  // Server-rendered: pages work before any JavaScript arrives, which matters on a weak phone signal.
  ssr: true,
} satisfies Config;
