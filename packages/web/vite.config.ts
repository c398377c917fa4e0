import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/ with SPA fallback; hashed files under assets/ are cached for a year.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
