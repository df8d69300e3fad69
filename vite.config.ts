import { reactRouter } from '@react-router/dev/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [reactRouter()],
  build: {
    // Source maps would publish the app's source to every phone; keep them out of production.
    sourcemap: false,
  },
});
